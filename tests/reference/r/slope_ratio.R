# Independent slope-ratio analysis in base R for tests/data/slope_ratio/assay.csv.
# Run: Rscript tests/reference/r/slope_ratio.R > tests/reference/r/slope_ratio.out
d <- read.csv("tests/data/slope_ratio/assay.csv")
d$xS <- ifelse(d$preparation == "S", d$dose, 0)
d$xT <- ifelse(d$preparation == "T", d$dose, 0)
d$iT <- as.numeric(d$preparation == "T" & d$dose > 0)
d$cell <- factor(ifelse(d$dose == 0, "blank", paste(d$preparation, d$dose)))
full <- lm(terms(y ~ xS + xT + iT + cell, keep.order = TRUE), data = transform(d, y = response))
print(anova(full), digits = 10)
ms <- deviance(full) / df.residual(full)
common <- lm(response ~ xS + xT, data = d)
V <- ms * summary(common)$cov.unscaled
a <- coef(common)[["xT"]]; b <- coef(common)[["xS"]]
tq <- qt(0.975, df.residual(full))
g <- tq^2 * V["xS", "xS"] / b^2
m <- a / b
rad <- V["xT", "xT"] - 2 * m * V["xT", "xS"] + m^2 * V["xS", "xS"] - g * (V["xT", "xT"] - V["xT", "xS"]^2 / V["xS", "xS"])
lo <- (m - g * V["xT", "xS"] / V["xS", "xS"] - tq / abs(b) * sqrt(rad)) / (1 - g)
hi <- (m - g * V["xT", "xS"] / V["xS", "xS"] + tq / abs(b) * sqrt(rad)) / (1 - g)
cat(sprintf("T ratio %.10g lower %.10g upper %.10g\n", m, lo, hi))
