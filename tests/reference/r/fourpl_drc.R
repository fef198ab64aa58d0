# Independent reference fits of the four-parameter logistic model in base R (nls).
# Run: Rscript tests/reference/r/fourpl_drc.R > tests/reference/r/fourpl_drc.out
# Model (same parameterisation as dossier): y = D + (A - D) / (1 + exp(B (log(dose) - C)))
# log(0) = -Inf gives the asymptote A (for B > 0), as R evaluates exp(-Inf) = 0.
# Constrained: shared A, B, D and one C per preparation. Unconstrained: everything per
# preparation. Similarity: extra-sum-of-squares F-test. RP = exp(C_std - C_test) with a
# Wald interval on the log scale from vcov() and t on the constrained residual df.

analyse <- function(d, std, start_ab_d, start_c) {
  d$prep <- factor(d$prep, levels = unique(c(std, as.character(d$prep))))
  k <- nlevels(d$prep)
  cons <- nls(y ~ D + (A - D) / (1 + exp(B * (log(dose) - C[prep]))), data = d,
              start = list(A = start_ab_d[1], B = start_ab_d[2], D = start_ab_d[3],
                           C = rep(start_c, k)),
              control = nls.control(maxiter = 500))
  unc_rss <- 0; unc_df <- 0
  for (p in levels(d$prep)) {
    s <- d[d$prep == p, ]
    f <- nls(y ~ D + (A - D) / (1 + exp(B * (log(dose) - C))), data = s,
             start = list(A = start_ab_d[1], B = start_ab_d[2], D = start_ab_d[3], C = start_c),
             control = nls.control(maxiter = 500))
    unc_rss <- unc_rss + deviance(f); unc_df <- unc_df + df.residual(f)
  }
  df_num <- df.residual(cons) - unc_df
  Fv <- ((deviance(cons) - unc_rss) / df_num) / (unc_rss / unc_df)
  cat(sprintf("similarity F %.10g df %d %d p %.10g\n", Fv, df_num, unc_df,
              pf(Fv, df_num, unc_df, lower.tail = FALSE)))
  cf <- coef(cons); V <- vcov(cons)
  cat(sprintf("A %.10g B %.10g D %.10g\n", cf[["A"]], cf[["B"]], cf[["D"]]))
  tq <- qt(0.975, df.residual(cons))
  for (i in 2:k) {
    lr <- cf[["C1"]] - cf[[paste0("C", i)]]
    se <- sqrt(V["C1", "C1"] + V[paste0("C", i), paste0("C", i)] - 2 * V["C1", paste0("C", i)])
    cat(sprintf("%s RP %.10g lower %.10g upper %.10g\n", levels(d$prep)[i], exp(lr),
                exp(lr - tq * se), exp(lr + tq * se)))
  }
}

s <- read.csv("tests/data/drc/S_alba.csv")
cat("== S_alba (standard Glyphosate)\n")
analyse(data.frame(prep = s$Herbicide, dose = s$Dose, y = s$DryMatter), "Glyphosate",
        c(4, 2, 0.5), 4)

sp <- read.csv("tests/data/drc/spinach.csv")
sp1 <- sp[sp$CURVE %in% c(1, 2), ]
cat("== spinach curves 1 and 2 (standard curve 1)\n")
analyse(data.frame(prep = paste0("curve", sp1$CURVE), dose = sp1$DOSE, y = sp1$SLOPE),
        "curve1", c(1.8, 1, 0.1), 0)
