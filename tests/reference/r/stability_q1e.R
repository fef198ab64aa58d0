# ICH Q1E shelf-life analysis with base R, the reference for tests/compute/test_stability.py.
#
# For each data set: the full ANCOVA model (separate intercepts and slopes), the
# common-slope model and the single line are fitted with lm; poolability is tested with
# anova() of nested models at alpha 0.25 (slopes: common-slope vs full; intercepts, when
# the slopes pool: single line vs common slope). The shelf life is the earliest time at
# which the one-sided 95 % confidence limit of the mean (predict(..., interval =
# "confidence", level = 0.90), whose two sides are one-sided 95 % limits) meets an
# acceptance limit, over every batch's line of the chosen model: the first sign change on
# a grid of 2001 points over [0, horizon], refined by uniroot.
#
# Run from the repository root:
#   Rscript tests/reference/r/stability_q1e.R > tests/reference/r/stability_q1e.out

times <- c(0, 3, 6, 9, 12, 18)

make <- function(values) {
  data.frame(
    batch = factor(rep(names(values), each = length(times)), levels = names(values)),
    time = rep(times, length(values)),
    value = unlist(values, use.names = FALSE)
  )
}

cases <- list(
  pooled = list(
    data = make(list(
      A = c(100.0, 98.9, 97.0, 95.1, 94.1, 90.9),
      B = c(99.6, 99.2, 96.8, 95.3, 94.6, 91.8),
      C = c(100.1, 97.7, 97.3, 96.6, 93.3, 91.4)
    )),
    lower = 90, upper = NA, horizon = 36
  ),
  near_pooled = list(
    data = make(list(
      A = c(100.0, 98.9, 97.0, 95.1, 94.1, 90.9),
      B = c(100.1, 100.0, 96.8, 95.3, 95.1, 92.3),
      C = c(100.1, 97.7, 97.3, 96.6, 93.3, 91.4)
    )),
    lower = 90, upper = NA, horizon = 36
  ),
  separate = list(
    data = make(list(
      A = c(97.5, 97.4, 96.3, 97.0, 95.6, 95.6),
      B = c(100.1, 99.1, 96.5, 97.3, 97.0, 95.6),
      C = c(99.8, 97.9, 94.8, 92.3, 91.0, 84.2)
    )),
    lower = 85, upper = NA, horizon = 36
  ),
  increasing = list(
    data = make(list(
      A = c(1.0, 1.5, 1.6, 2.1, 2.5, 3.2),
      B = c(1.5, 2.0, 2.5, 2.5, 3.1, 3.8),
      C = c(0.5, 1.2, 1.4, 1.5, 2.0, 2.8)
    )),
    lower = NA, upper = 5, horizon = 36
  ),
  flat = list(
    data = make(list(
      A = c(97.9, 98.4, 98.0, 98.4, 98.9, 97.6),
      B = c(97.1, 96.7, 97.1, 96.3, 96.7, 96.9)
    )),
    lower = 90, upper = NA, horizon = 18
  ),
  two_sided = list(
    data = make(list(
      A = c(97.9, 98.4, 98.0, 98.4, 98.9, 97.6),
      B = c(97.1, 96.7, 97.1, 96.3, 96.7, 96.9)
    )),
    lower = 95, upper = 100, horizon = 60
  )
)

first_crossing <- function(gap, horizon) {
  if (gap(0) <= 0) return(0)
  grid <- seq(0, horizon, length.out = 2001)
  for (i in 2:length(grid)) {
    if (gap(grid[i]) <= 0) {
      return(uniroot(gap, c(grid[i - 1], grid[i]), tol = 1e-12)$root)
    }
  }
  NA
}

for (name in names(cases)) {
  case <- cases[[name]]
  d <- case$data
  full <- lm(value ~ batch + batch:time - 1, data = d)
  common <- lm(value ~ batch + time, data = d)
  single <- lm(value ~ time, data = d)
  slopes <- anova(common, full)
  p_slopes <- slopes[["Pr(>F)"]][2]
  p_intercepts <- NA
  f_intercepts <- NA
  if (p_slopes >= 0.25) {
    intercepts <- anova(single, common)
    p_intercepts <- intercepts[["Pr(>F)"]][2]
    f_intercepts <- intercepts[["F"]][2]
    model <- if (p_intercepts >= 0.25) "pooled" else "common_slope"
  } else {
    model <- "separate"
  }
  fit <- switch(model, pooled = single, common_slope = common, separate = full)
  best <- NA
  best_batch <- NA
  best_side <- NA
  for (b in levels(d$batch)) {
    for (side in c("lower", "upper")) {
      limit <- case[[side]]
      if (is.na(limit)) next
      column <- if (side == "lower") "lwr" else "upr"
      gap <- function(t) {
        p <- predict(fit, newdata = data.frame(time = t, batch = factor(b, levels(d$batch))),
                     interval = "confidence", level = 0.90)[, column]
        if (side == "lower") p - limit else limit - p
      }
      when <- first_crossing(gap, case$horizon)
      if (!is.na(when) && (is.na(best) || when < best)) {
        best <- when
        best_batch <- b
        best_side <- side
      }
    }
  }
  cat(sprintf("%s: model %s F_slopes %.10g p_slopes %.10g F_intercepts %.10g p_intercepts %.10g df %d sigma %.10g crossing %.10g batch %s side %s\n",
              name, model, slopes[["F"]][2], p_slopes, f_intercepts, p_intercepts,
              df.residual(fit), summary(fit)$sigma, best, best_batch, best_side))
  co <- coef(fit)
  cat(sprintf("  coef %s = %.10g\n", names(co), co), sep = "")
}


# one batch: no poolability test, the batch's own line (batch C of the separate case)
one <- cases$separate$data[cases$separate$data$batch == "C", ]
fit <- lm(value ~ time, data = one)
gap <- function(t) predict(fit, newdata = data.frame(time = t), interval = "confidence",
                           level = 0.90)[, "lwr"] - 85
cat(sprintf("single_batch: df %d sigma %.10g crossing %.10g slope %.10g intercept %.10g\n",
            df.residual(fit), summary(fit)$sigma, first_crossing(gap, 36), coef(fit)[2],
            coef(fit)[1]))
# the AAV example's titre at -70 °C (examples/_generate/make_data.py), both limits, searched
# to 24 months as the analysis does (twice the 12 months of data)
titre <- read.csv("examples/aav-systemic/data/stability/titre_minus70.csv")
titre$batch <- factor(titre$batch, levels = unique(titre$batch))
full <- lm(value ~ batch + batch:time - 1, data = titre)
common <- lm(value ~ batch + time, data = titre)
slopes <- anova(common, full)
best <- NA
for (b in levels(titre$batch)) {
  for (side in c("lower", "upper")) {
    limit <- if (side == "lower") 1.6e13 else 2.4e13
    column <- if (side == "lower") "lwr" else "upr"
    gap <- function(t) {
      p <- predict(full, newdata = data.frame(time = t, batch = factor(b, levels(titre$batch))),
                   interval = "confidence", level = 0.90)[, column]
      if (side == "lower") p - limit else limit - p
    }
    when <- first_crossing(gap, 24)
    if (!is.na(when) && (is.na(best) || when < best)) best <- when
  }
}
cat(sprintf("aav_titre: F_slopes %.10g p_slopes %.10g df %d sigma %.10g crossing %.10g\n",
            slopes[["F"]][2], slopes[["Pr(>F)"]][2], df.residual(full), summary(full)$sigma,
            best))
cat(R.version.string, "\n")
