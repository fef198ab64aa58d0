# Independent reference for the batch-trend test (dossier/compute/trend.py) in base R.
# Run: Rscript tests/reference/r/trend.R > tests/reference/r/trend.out
# lm(value ~ days): slope, its standard error, t, two-sided p of the slope.
show <- function(name, days, value) {
  s <- summary(lm(value ~ days))$coefficients
  cat(sprintf("%s slope %.10g se %.10g intercept %.10g t %.10g p %.10g\n", name,
              s["days", 1], s["days", 2], s[1, 1], s["days", 3], s["days", 4]))
}
# falling potency (% relative potency) over six batches
show("falling", c(0, 41, 88, 130, 176, 220), c(104, 101, 97, 96, 92, 90))
# no trend: scatter around 100
show("flat", c(0, 30, 61, 95, 120), c(98, 104, 95, 103, 99))
# examples/car-t-nl, A-CAR batch results (41, 38, 46 %) on days 0, 200, 226 since the
# manufacture of B-TOX-01
show("car-t A-CAR", c(0, 200, 226), c(41, 38, 46))
