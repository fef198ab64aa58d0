# Variance components of a nested precision design on the log scale, in R.
# Balanced: expected mean squares from aov(); unbalanced: REML with lme4::lmer.
# Run: Rscript tests/reference/r/precision.R > tests/reference/r/precision.out
suppressMessages(library(lme4))
components <- function(file) {
  d <- read.csv(file)
  d$y <- log(d$value)
  d$day <- factor(d$day)
  d$da <- factor(paste(d$day, d$analyst))
  fit <- lmer(y ~ 1 + (1 | day) + (1 | da), data = d, REML = TRUE)
  vc <- as.data.frame(VarCorr(fit))
  cat(sprintf("%s REML day %.10g analyst %.10g residual %.10g\n", basename(file),
              vc$vcov[vc$grp == "day"], vc$vcov[vc$grp == "da"], vc$vcov[vc$grp == "Residual"]))
  a <- summary(aov(y ~ day + Error(da), data = d))
  print(a)
}
components("tests/data/validation/precision_nested.csv")
components("tests/data/validation/precision_unbalanced.csv")
# balanced ANOVA estimates by hand from the mean squares (3 replicates, 2 analysts per day)
d <- read.csv("tests/data/validation/precision_nested.csv"); d$y <- log(d$value)
ms_day <- anova(lm(y ~ factor(day), data = d))
m_da <- tapply(d$y, paste(d$day, d$analyst), mean); m_d <- tapply(d$y, d$day, mean)
ss_e <- sum((d$y - m_da[paste(d$day, d$analyst)])^2); ms_e <- ss_e / (nrow(d) - length(m_da))
ss_a <- sum((m_da[paste(d$day, d$analyst)] - m_d[as.character(d$day)])^2); ms_a <- ss_a / (length(m_da) - length(m_d))
ss_dd <- sum((m_d[as.character(d$day)] - mean(d$y))^2); ms_dd <- ss_dd / (length(m_d) - 1)
cat(sprintf("ANOVA day %.10g analyst %.10g residual %.10g\n", max((ms_dd - ms_a) / 6, 0), max((ms_a - ms_e) / 3, 0), ms_e))
