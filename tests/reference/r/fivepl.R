# Independent reference fits of the five-parameter (asymmetric) logistic model in base R (nls).
# Run from the repository root (R 4.2.2):
#   Rscript tests/reference/r/fivepl.R > tests/reference/r/fivepl.out
# Model (same parameterisation as dossier): y = D + (A - D) / (1 + exp(B (log(dose) - C)))^E
# Constrained: shared A, B, D, E and one C per preparation. Unconstrained: everything per
# preparation (each started from the constrained fit). Similarity: extra-sum-of-squares
# F-test. Regression of each preparation: its own fit against a flat line at its mean
# (4 df) over the unconstrained residual mean square. RP = exp(C_std - C_test) with a Wald
# interval on the log scale from vcov() and t on the constrained residual df. EC50 of the
# standard: exp(C_std + log(2^(1/E) - 1) / B).

five <- y ~ D + (A - D) / (1 + exp(B * (log(dose) - C[prep])))^E
five1 <- y ~ D + (A - D) / (1 + exp(B * (log(dose) - C)))^E
ctl <- nls.control(maxiter = 1000, tol = 1e-6, minFactor = 1e-12)

analyse <- function(d, std, start) {
  d$prep <- factor(d$prep, levels = unique(c(std, as.character(d$prep))))
  k <- nlevels(d$prep)
  cons <- nls(five, data = d, control = ctl,
              start = list(A = start[["A"]], B = start[["B"]], D = start[["D"]],
                           E = start[["E"]], C = rep(start[["C"]], k)))
  cf <- coef(cons); V <- vcov(cons)
  unc_rss <- 0; unc_df <- 0; rss0 <- c(); rss_own <- c()
  for (i in seq_len(k)) {
    s <- d[d$prep == levels(d$prep)[i], ]
    f <- nls(five1, data = s, control = ctl,
             start = list(A = cf[["A"]], B = cf[["B"]], D = cf[["D"]], E = cf[["E"]],
                          C = cf[[paste0("C", i)]]))
    unc_rss <- unc_rss + deviance(f); unc_df <- unc_df + df.residual(f)
    rss_own <- c(rss_own, deviance(f)); rss0 <- c(rss0, sum((s$y - mean(s$y))^2))
    fc <- coef(f)
    cat(sprintf("own %s A %.10g B %.10g D %.10g E %.10g C %.10g rss %.10g\n",
                levels(d$prep)[i], fc[["A"]], fc[["B"]], fc[["D"]], fc[["E"]], fc[["C"]],
                deviance(f)))
  }
  df_num <- df.residual(cons) - unc_df
  Fv <- ((deviance(cons) - unc_rss) / df_num) / (unc_rss / unc_df)
  cat(sprintf("similarity F %.10g df %d %d p %.10g\n", Fv, df_num, unc_df,
              pf(Fv, df_num, unc_df, lower.tail = FALSE)))
  for (i in seq_len(k)) {
    Fr <- ((rss0[i] - rss_own[i]) / 4) / (unc_rss / unc_df)
    cat(sprintf("regression %s F %.10g df 4 %d\n", levels(d$prep)[i], Fr, unc_df))
  }
  cat(sprintf("A %.10g B %.10g D %.10g E %.10g C1 %.10g rss %.10g df %d\n", cf[["A"]],
              cf[["B"]], cf[["D"]], cf[["E"]], cf[["C1"]], deviance(cons), df.residual(cons)))
  cat(sprintf("EC50 %s %.10g\n", std,
              exp(cf[["C1"]] + log(2^(1 / cf[["E"]]) - 1) / cf[["B"]])))
  tq <- qt(0.975, df.residual(cons))
  for (i in 2:k) {
    lr <- cf[["C1"]] - cf[[paste0("C", i)]]
    se <- sqrt(V["C1", "C1"] + V[paste0("C", i), paste0("C", i)] - 2 * V["C1", paste0("C", i)])
    cat(sprintf("%s RP %.10g lower %.10g upper %.10g\n", levels(d$prep)[i], exp(lr),
                exp(lr - tq * se), exp(lr + tq * se)))
  }
}

cat(R.version.string, "\n")

a <- read.csv("tests/data/fivepl/asymmetric.csv")
cat("== asymmetric (simulated; standard S)\n")
analyse(data.frame(prep = a$preparation, dose = a$dose, y = a$response), "S",
        c(A = 5, B = 1, D = 100, E = 0.5, C = 0))

sp <- read.csv("tests/data/drc/spinach.csv")
for (pair in list(c(4, 5), c(1, 5))) {
  s <- sp[sp$CURVE %in% pair, ]
  cat(sprintf("== spinach curves %d and %d (standard curve %d)\n", pair[1], pair[2], pair[1]))
  analyse(data.frame(prep = paste0("curve", s$CURVE), dose = s$DOSE, y = s$SLOPE),
          paste0("curve", pair[1]), c(A = 1.8, B = 1.5, D = 0.1, E = 1, C = -1))
}
