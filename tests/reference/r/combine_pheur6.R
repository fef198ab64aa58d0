# Combination of independent assay results, Ph. Eur. 5.3 section 6, written in base R.
# Run: Rscript tests/reference/r/combine_pheur6.R
# The values it prints are copied, with this script named as their source, into
# tests/compute/test_combine_pheur6.py.
#
# Section 6.2: W = 1 / var(ln R), var = ((ln U - ln L) / (2 t))^2 with t on the assay's
#   own residual df; weighted mean of ln R; chi^2 = sum W (M - Mw)^2 on n - 1 df;
#   limits Mw +- t * sqrt(1 / sum W), t on the summed residual df.
# Section 6.2.4 (semi-weighted): s2_j = 1 / W_j; inter-assay variance
#   s2_M = sum (M - Mu)^2 / (n - 1) - sum s2_j / n  (Mu the unweighted mean), not below 0;
#   W' = 1 / (s2_j + s2_M) replaces W; limits with t on n - 1 df.
# Section 6.3 (unweighted): mean of ln R, s^2 = sum (M - Mu)^2 / (n (n - 1)), t on n - 1 df.

combine <- function(name, est, lower, upper, df, level = 0.95) {
  q <- 1 - (1 - level) / 2
  M <- log(est)
  v <- ((log(upper) - log(lower)) / (2 * qt(q, df)))^2
  W <- 1 / v
  n <- length(M)
  Mw <- sum(W * M) / sum(W)
  chi2 <- sum(W * (M - Mw)^2)
  p <- pchisq(chi2, n - 1, lower.tail = FALSE)
  cat(sprintf("%s: weights %s\n", name, paste(sprintf("%.10g", W), collapse = " ")))
  cat(sprintf("%s: chi2 %.10g df %d p %.10g\n", name, chi2, n - 1, p))

  se <- sqrt(1 / sum(W))
  t <- qt(q, sum(df))
  cat(sprintf("%s: weighted lnR %.10g se %.10g estimate %.10g lower %.10g upper %.10g\n",
              name, Mw, se, exp(Mw), exp(Mw - t * se), exp(Mw + t * se)))

  Mu <- mean(M)
  s2M <- max(sum((M - Mu)^2) / (n - 1) - sum(v) / n, 0)
  Ws <- 1 / (v + s2M)
  Ms <- sum(Ws * M) / sum(Ws)
  se <- sqrt(1 / sum(Ws))
  t <- qt(q, n - 1)
  cat(sprintf("%s: semi-weighted s2M %.10g estimate %.10g lower %.10g upper %.10g\n",
              name, s2M, exp(Ms), exp(Ms - t * se), exp(Ms + t * se)))
  cat(sprintf("%s: semi-weights %s\n", name, paste(sprintf("%.10g", Ws), collapse = " ")))

  se <- sqrt(sum((M - Mu)^2) / (n * (n - 1)))
  cat(sprintf("%s: unweighted estimate %.10g lower %.10g upper %.10g\n",
              name, exp(Mu), exp(Mu - t * se), exp(Mu + t * se)))
}

cat(R.version.string, "\n")

# Ph. Eur. 5.3 section 6.4, Table 6.4.-I: six independent assays (IU/vial), 20 df each
combine("pheur64",
        c(18367, 18003, 18064, 17832, 18635, 18269),
        c(17755, 17415, 17319, 17253, 17959, 17722),
        c(19002, 18610, 18838, 18429, 19339, 18834),
        rep(20, 6))

# three runs whose estimates differ by more than their limits allow
combine("three",
        c(80, 100, 125), c(76, 95, 119), c(84, 105, 131), c(30, 30, 30))

# four runs of unequal precision, heterogeneous
combine("four",
        c(0.92, 1.08, 1.01, 1.15), c(0.85, 1.03, 0.90, 1.09), c(1.00, 1.13, 1.13, 1.21),
        c(18, 24, 12, 30))
