# Independent reference for similarity by equivalence in the parallel-line model (TOST).
# Run: Rscript tests/reference/r/pla_equivalence.R > tests/reference/r/pla_equivalence.out
# The separate-slopes model y ~ design + prep + prep:x (one intercept and one slope per
# preparation on ln dose) fitted with lm(); its residual variance on df.residual(); the
# slope ratio b_T / b_S with Fieller limits (formula written here) and the slope
# difference b_T - b_S with t limits, both at 90 % (two one-sided tests at 5 %).

fieller <- function(a, b, v11, v22, v12, tq) {
  m <- a / b
  g <- tq^2 * v22 / b^2
  if (g >= 1) return(c(m, NA, NA))
  rad <- v11 - 2 * m * v12 + m^2 * v22 - g * (v11 - v12^2 / v22)
  half <- tq / abs(b) * sqrt(rad)
  c(m, (m - g * v12 / v22 - half) / (1 - g), (m - g * v12 / v22 + half) / (1 - g))
}

analyse <- function(file, ratio, transform = identity, design = c()) {
  d <- read.csv(file)
  d$prep <- factor(d$prep, levels = unique(c("S", as.character(d$prep))))
  d$x <- log(ratio^(d$dose_step - 1))
  d$y <- transform(d$response)
  for (f in design) d[[f]] <- factor(d[[f]])
  lhs <- if (length(design)) paste(design, collapse = " + ") else "1"
  fit <- lm(as.formula(paste("y ~", lhs, "+ prep + prep:x")), data = d)
  V <- vcov(fit)
  df <- df.residual(fit)
  tq <- qt(0.95, df)
  cat("==", basename(file), "df", df, "\n")
  s <- "prepS:x"
  for (p in levels(d$prep)[-1]) {
    t <- paste0("prep", p, ":x")
    f <- fieller(coef(fit)[[t]], coef(fit)[[s]], V[t, t], V[s, s], V[t, s], tq)
    diff <- coef(fit)[[t]] - coef(fit)[[s]]
    half <- tq * sqrt(V[t, t] + V[s, s] - 2 * V[t, s])
    cat(sprintf("%s ratio %.10g lower %.10g upper %.10g diff %.10g lower %.10g upper %.10g\n",
                p, f[1], f[2], f[3], diff, diff - half, diff + half))
  }
}

base <- "tests/data/pheur53/"
analyse(paste0(base, "ex511_corticotrophin_crd.csv"), 4)
analyse(paste0(base, "ex512_agar_latin_square.csv"), 1.5, design = c("row", "column"))
analyse(paste0(base, "ex513_turbidimetric_rbd.csv"), 1.5, design = c("block"))
analyse(paste0(base, "ex514_hepatitisB_crd.csv"), 2, transform = log)
