# Independent reference computation of the Ph. Eur. 5.3 parallel-line examples in base R.
# Run: Rscript tests/reference/r/pla_pheur53.R > tests/reference/r/pla_pheur53.out
# Sequential (type I) ANOVA with lm(); Fieller limits written here from the textbook
# formula (not from dossier's code). Confidence 95 %.

fieller <- function(a, b, v11, v22, v12, tq) {
  m <- a / b
  g <- tq^2 * v22 / b^2
  if (g >= 1) return(c(m, NA, NA))
  rad <- v11 - 2 * m * v12 + m^2 * v22 - g * (v11 - v12^2 / v22)
  half <- tq / abs(b) * sqrt(rad)
  c(m, (m - g * v12 / v22 - half) / (1 - g), (m - g * v12 / v22 + half) / (1 - g))
}

analyse <- function(file, ratio, assumed, transform = identity, design = c()) {
  d <- read.csv(file)
  d$prep <- factor(d$prep, levels = unique(c("S", as.character(d$prep))))
  d$x <- log(ratio^(d$dose_step - 1))
  d$y <- transform(d$response)
  d$cell <- factor(paste(d$prep, d$dose_step))
  for (f in design) d[[f]] <- factor(d[[f]])
  lhs <- if (length(design)) paste(design, collapse = " + ") else "1"
  # keep.order: the prep:x (non-parallelism) term must come before the cell means
  full <- lm(terms(as.formula(paste("y ~", lhs, "+ prep + x + prep:x + cell")), keep.order = TRUE), data = d)
  cat("==", basename(file), "\n")
  print(anova(full), digits = 10)
  res_ms <- deviance(full) / df.residual(full)
  restricted <- lm(as.formula(paste("y ~", lhs, "+ prep + x")), data = d)
  V <- res_ms * summary(restricted)$cov.unscaled
  b <- coef(restricted)[["x"]]
  tq <- qt(0.975, df.residual(full))
  for (p in levels(d$prep)[-1]) {
    nm <- paste0("prep", p)
    f <- fieller(coef(restricted)[[nm]], b, V[nm, nm], V["x", "x"], V[nm, "x"], tq)
    cat(sprintf("%s potency %.10g lower %.10g upper %.10g\n", p,
                assumed * exp(f[1]), assumed * exp(f[2]), assumed * exp(f[3])))
  }
}

base <- "tests/data/pheur53/"
analyse(paste0(base, "ex511_corticotrophin_crd.csv"), 4, 1)
analyse(paste0(base, "ex512_agar_latin_square.csv"), 1.5, 5588.7597, design = c("row", "column"))
analyse(paste0(base, "ex513_turbidimetric_rbd.csv"), 1.5, 17902.4, design = c("block"))
analyse(paste0(base, "ex514_hepatitisB_crd.csv"), 2, 20, transform = log)
