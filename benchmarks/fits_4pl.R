# The benchmark's 1,000 4PL similarity analyses with base R's nls, for comparison.
#
#   Rscript fits_4pl.R DATA.csv
#
# DATA.csv: set, prep, dose, response (prep REF is the standard). Per set, as dossier
# does: the constrained fit (shared A, B, D; one C per preparation, x = ln(dose)) from
# starting values read off the data, each preparation's own fit from the constrained
# estimates, the covariance of the constrained fit and the F test of similarity.
# Prints "fits <elapsed seconds of the loop> failed <sets where a fit failed>"; reading
# the data is not timed.

args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1])
data$x <- log(data$dose)
data$g <- ifelse(data$prep == "REF", 1L, 2L)
sets <- split(data, data$set)

starts <- function(s) {
  means <- aggregate(response ~ x + g, data = s, FUN = mean)
  rising <- cor(means$x, means$response) >= 0
  low <- min(means$response)
  high <- max(means$response)
  a <- if (rising) low else high
  d <- if (rising) high else low
  mid <- (a + d) / 2
  cs <- sapply(1:2, function(k) {
    m <- means[means$g == k, ]
    m$x[which.min(abs(m$response - mid))]
  })
  list(A = a, B = 4 / diff(range(s$x)), D = d, C = cs)
}

analyse <- function(s) {
  constrained <- nls(response ~ D + (A - D) / (1 + exp(B * (x - C[g]))),
                     data = s, start = starts(s))
  est <- coef(constrained)
  vcov(constrained)
  rss_separate <- 0
  for (k in 1:2) {
    own <- nls(response ~ D + (A - D) / (1 + exp(B * (x - C))),
               data = s[s$g == k, ],
               start = list(A = est[["A"]], B = est[["B"]], D = est[["D"]],
                            C = est[[paste0("C", k)]]))
    rss_separate <- rss_separate + deviance(own)
  }
  df_separate <- nrow(s) - 8
  df_num <- df.residual(constrained) - df_separate
  f <- ((deviance(constrained) - rss_separate) / df_num) / (rss_separate / df_separate)
  pf(f, df_num, df_separate, lower.tail = FALSE)
}

start <- proc.time()[["elapsed"]]
failed <- 0L
for (s in sets) {
  ok <- tryCatch({ analyse(s); TRUE }, error = function(e) FALSE)
  if (!ok) failed <- failed + 1L
}
elapsed <- proc.time()[["elapsed"]] - start
cat(sprintf("fits %.6f failed %d\n", elapsed, failed))
