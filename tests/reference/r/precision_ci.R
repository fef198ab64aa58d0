# Unbalanced precision designs and precision confidence intervals, in R.
#
# 1. REML variance components with lme4::lmer of one-factor data sets with one value removed
#    (NIST SiRstv without its 2nd and without its 1st row; the nested example analysed by
#    day only, without its last row, on the log scale) and of the unbalanced two-factor set;
#    the optimiser is run to a tight tolerance (bobyqa, rhoend 1e-12).
# 2. 95 % confidence intervals: chi-square for the repeatability SD (df = n - groups, pooled
#    within-group mean square); Satterthwaite for the intermediate-precision SD, on the
#    linear combination of the nested ANOVA mean squares that estimates the sum of the
#    variance components (coefficients from the expected mean squares, written out below).
#
# Run from the repository root:
#   Rscript tests/reference/r/precision_ci.R > tests/reference/r/precision_ci.out
# Versions used: R 4.2.2 Patched (2022-11-10 r83330), lme4 1.1-31 (Debian bookworm
# packages r-base-core and r-cran-lme4).
suppressMessages(library(lme4))
cat(R.version.string, "; lme4", as.character(packageVersion("lme4")), "\n")
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
show <- function(label, fit) {
  vc <- as.data.frame(VarCorr(fit))
  cat(label, paste(sprintf("%s %.12g", vc$grp, vc$vcov), collapse = " "), "\n")
}
interval <- function(label, s2, df) {
  q <- qchisq(c(0.975, 0.025), df)
  cat(sprintf("%s sd %.12g df %.12g 95%% CI %.12g %.12g\n", label, sqrt(s2), df,
              sqrt(df * s2 / q[1]), sqrt(df * s2 / q[2])))
}
satterthwaite <- function(label, coef, ms, df) {
  est <- sum(coef * ms)
  nu <- est^2 / sum((coef * ms)^2 / df)
  interval(label, est, nu)
}

# --- 1. REML, one factor, one value removed ------------------------------------------
sirstv <- read.csv("tests/data/nist/sirstv.csv")
sirstv$g <- factor(sirstv$instrument)
show("sirstv-without-row-2 REML", lmer(value ~ 1 + (1 | g), sirstv[-2, ], REML = TRUE, control = tight))
show("sirstv-without-row-1 REML", lmer(value ~ 1 + (1 | g), sirstv[-1, ], REML = TRUE, control = tight))
nested <- read.csv("tests/data/validation/precision_nested.csv")
nested$y <- log(nested$value)
nested$day <- factor(nested$day)
nested$da <- factor(paste(nested$day, nested$analyst))
show("nested-by-day-without-last-row REML",
     lmer(y ~ 1 + (1 | day), nested[-nrow(nested), ], REML = TRUE, control = tight))
unbal <- read.csv("tests/data/validation/precision_unbalanced.csv")
unbal$y <- log(unbal$value)
unbal$day <- factor(unbal$day)
unbal$da <- factor(paste(unbal$day, unbal$analyst))
show("unbalanced-two-factor REML", lmer(y ~ 1 + (1 | day) + (1 | da), unbal, REML = TRUE, control = tight))

# --- 2. confidence intervals ----------------------------------------------------------
# SiRstv, balanced one factor: a = 5 instruments, n = 5 replicates
a1 <- anova(lm(value ~ g, data = sirstv))
ms <- a1[["Mean Sq"]]; df <- a1[["Df"]]
interval("sirstv repeatability", ms[2], df[2])
satterthwaite("sirstv intermediate", c(1 / 5, 1 - 1 / 5), ms, df)

# SiRstv without row 2, unbalanced one factor: n0 = (N - sum(n_i^2) / N) / (a - 1)
s2 <- sirstv[-2, ]
a2 <- anova(lm(value ~ g, data = s2))
ni <- table(s2$g); N <- sum(ni); n0 <- (N - sum(ni^2) / N) / (length(ni) - 1)
interval("sirstv-without-row-2 repeatability", a2[["Mean Sq"]][2], a2[["Df"]][2])
satterthwaite("sirstv-without-row-2 intermediate", c(1 / n0, 1 - 1 / n0), a2[["Mean Sq"]], a2[["Df"]])

# nested, log scale, balanced: 4 days, b = 2 analysts per day, r = 3 replicates
# E[MS_day] = s2e + r s2a + b r s2d; E[MS_analyst] = s2e + r s2a
nested_ms <- function(d) {
  top <- summary(aov(y ~ day + Error(da), data = d))
  m1 <- top[["Error: da"]][[1]]; m2 <- top[["Error: Within"]][[1]]
  list(ms = c(m1[["Mean Sq"]], m2[["Mean Sq"]]), df = c(m1[["Df"]], m2[["Df"]]))
}
m <- nested_ms(nested)
interval("nested repeatability", m$ms[3], m$df[3])
satterthwaite("nested intermediate", c(1 / 6, 1 / 3 - 1 / 6, 1 - 1 / 3), m$ms, m$df)

# unbalanced two-factor (Henderson method I): E[MS_day] = s2e + k2 s2a + k3 s2d,
# E[MS_analyst] = s2e + k1 s2a, with
#   k1 = (N - sum_ij n_ij^2 / n_i) / (groups_ij - groups_i)
#   k2 = (sum_ij n_ij^2 / n_i - sum_ij n_ij^2 / N) / (groups_i - 1)
#   k3 = (N - sum_i n_i^2 / N) / (groups_i - 1)
m <- nested_ms(unbal)
nij <- table(unbal$da); day_of <- sapply(strsplit(names(nij), " "), `[`, 1)
ni <- table(unbal$day); N <- nrow(unbal)
k1 <- (N - sum(nij^2 / ni[day_of])) / (length(nij) - length(ni))
k2 <- (sum(nij^2 / ni[day_of]) - sum(nij^2) / N) / (length(ni) - 1)
k3 <- (N - sum(ni^2) / N) / (length(ni) - 1)
cat(sprintf("unbalanced-two-factor k1 %.12g k2 %.12g k3 %.12g\n", k1, k2, k3))
# s2d + s2a + s2e = MS_day / k3 + MS_analyst (1 - k2 / k3) / k1 + MS_e (1 - 1/k3 - (1 - k2/k3)/k1)
coef <- c(1 / k3, (1 - k2 / k3) / k1, 1 - 1 / k3 - (1 - k2 / k3) / k1)
interval("unbalanced-two-factor repeatability", m$ms[3], m$df[3])
satterthwaite("unbalanced-two-factor intermediate", coef, m$ms, m$df)
