# Reference values for tests/compute/test_outliers.py: externally studentized residuals of
# the replicate-group model (one mean per preparation and dose, plus block effects in the
# second design) and the two-sided Bonferroni limit over the responses screened.
# Run: Rscript tests/reference/r/outliers.R > tests/reference/r/outliers.out
d <- data.frame(
  preparation = rep(c("S", "T"), each = 12),
  dose = rep(rep(c(1, 2, 4), each = 4), 2),
  block = rep(c("b1", "b2", "b3", "b4"), 6),
  response = c(10.31, 9.78, 10.05, 9.86, 13.73, 14.18, 14.09, 14.02, 18.12, 17.95,
               17.81, 18.11, 9.21, 8.92, 8.85, 9.03, 12.89, 13.26, 15.98, 12.87,
               17.07, 16.76, 17.16, 17.01)
)
d$group <- factor(paste(d$preparation, d$dose))
report <- function(fit, label) {
  t <- rstudent(fit)
  df <- df.residual(fit) - 1
  m <- length(t)
  limit <- qt(1 - 0.05 / (2 * m), df)
  cat(label, "\n")
  cat(sprintf("df %d limit %.10f\n", df, limit))
  cat(sprintf("rstudent %s\n", paste(sprintf("%.10f", t), collapse = " ")))
  worst <- which.max(abs(t))
  cat(sprintf("worst row %d t %.10f bonferroni_p %.6e\n", worst, t[worst],
              min(1, 2 * m * pt(-abs(t[worst]), df))))
}
report(lm(response ~ group, data = d), "groups")
report(lm(response ~ group + block, data = d), "groups + blocks")
