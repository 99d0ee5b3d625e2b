## CUSUM reference for Puente's ews module (not part of the shared reference set).
## surveillance::algo.cusum, trans = "standard", k = 1.04, h = 2.26, m = NULL
## (mean of the weeks before the range), range = 53..n, on the same
## salmNewport_DE and ha_berlin series as generate_reference.R.
## Run: Rscript generate_cusum.R OUTDIR
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE); outdir <- if (length(args)) args[1] else "."
data("salmNewport"); data("ha.sts")
series <- list(salmNewport_DE = aggregate(salmNewport, by = "unit"), ha_berlin = aggregate(ha.sts, by = "unit"))
for (nm in names(series)) {
  y <- as.vector(observed(series[[nm]])); n <- length(y); rng <- 53:n
  r <- algo.cusum(list(observed = y, state = rep(0, n), freq = 52, start = c(2000, 1)),
                  control = list(range = rng, k = 1.04, h = 2.26, trans = "standard"))
  ub <- al <- cs <- rep(NA, n); ub[rng] <- r$upperbound; al[rng] <- as.integer(r$alarm); cs[rng] <- r$cusum
  out <- data.frame(idx = seq_len(n), observed = y, cusum = ifelse(is.na(cs), "NA", sprintf("%.17g", cs)),
                    upperbound = ifelse(is.na(ub), "NA", sprintf("%.17g", ub)), alarm = ifelse(is.na(al), "NA", al))
  write.csv(out, file.path(outdir, paste0("cusum_", nm, ".csv")), row.names = FALSE, quote = FALSE)
}
cat("R:", R.version.string, " surveillance:", as.character(packageVersion("surveillance")), "\n")
