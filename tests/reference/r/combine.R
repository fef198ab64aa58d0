# Combination of independent potency estimates (Ph. Eur. 5.3 section 6), written in base R.
# Run: Rscript tests/reference/r/combine.R > tests/reference/r/combine.out
est <- data.frame(value = c(98.5, 101.2, 96.4), lower = c(91.1, 94.0, 88.9),
                  upper = c(106.5, 109.0, 104.5), df = c(40, 28, 36))
v <- ((log(est$upper) - log(est$lower)) / (2 * qt(0.975, est$df)))^2
w <- 1 / v
m <- sum(w * log(est$value)) / sum(w)
chi2 <- sum(w * (log(est$value) - m)^2)
z <- qnorm(0.975)
cat(sprintf("homogeneous: combined %.10g lower %.10g upper %.10g chi2 %.10g p %.10g\n",
            exp(m), exp(m - z / sqrt(sum(w))), exp(m + z / sqrt(sum(w))), chi2,
            pchisq(chi2, 2, lower.tail = FALSE)))
# heterogeneous set: add the between-assay variance (method of moments) to each variance
het <- data.frame(value = c(80, 100, 125), lower = c(76, 95, 119), upper = c(84, 105, 131),
                  df = c(30, 30, 30))
v <- ((log(het$upper) - log(het$lower)) / (2 * qt(0.975, het$df)))^2
w <- 1 / v
m <- sum(w * log(het$value)) / sum(w)
chi2 <- sum(w * (log(het$value) - m)^2)
tau2 <- max((chi2 - 2) / (sum(w) - sum(w^2) / sum(w)), 0)
w2 <- 1 / (v + tau2)
m2 <- sum(w2 * log(het$value)) / sum(w2)
cat(sprintf("heterogeneous: combined %.10g lower %.10g upper %.10g chi2 %.10g\n",
            exp(m2), exp(m2 - z / sqrt(sum(w2))), exp(m2 + z / sqrt(sum(w2))), chi2))
g <- c(98.5, 101.2, 96.4, 104.1)
s <- sd(log(g))
cat(sprintf("geometric: mean %.10g gcv %.10g lower %.10g upper %.10g\n", exp(mean(log(g))),
            100 * (exp(s) - 1), exp(mean(log(g)) - qt(0.975, 3) * s / 2),
            exp(mean(log(g)) + qt(0.975, 3) * s / 2)))
