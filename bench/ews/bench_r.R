## R side of the ews benchmark: surveillance::earsC and farringtonFlexible on
## 1000 synthetic weekly series x 520 weeks (the data of
## data/ews/reference/timing.R: Poisson, mean 10*exp(0.3 sin(2 pi t/52)),
## set.seed(20240601)). Writes the series for Puente, R's alarms, and timings.
## Usage: Rscript bench_r.R OUTDIR NFF_FULL
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]; nff <- as.integer(args[2])
set.seed(20240601)
nser <- 1000; nweek <- 520
t <- seq_len(nweek)
lambda <- 10 * exp(0.3 * sin(2 * pi * t / 52))
Y <- matrix(rpois(nser * nweek, rep(lambda, nser)), nrow = nweek, ncol = nser)
write.table(Y, file.path(out, "series.csv"), sep = ",", row.names = FALSE, col.names = FALSE)
S <- sts(observed = Y, start = c(2010, 1), frequency = 52)

alarms_out <- function(r, name, rng) {
  a <- alarms(r)
  w <- which(a == 1, arr.ind = TRUE)
  stopifnot(nrow(a) == length(rng))
  df <- data.frame(series = w[, 2], week = rng[w[, 1]])
  df <- df[order(df$series, df$week), ]
  write.table(df, file.path(out, paste0("r_", name, ".csv")), sep = ",", row.names = FALSE, col.names = FALSE)
  c(alarms = nrow(df), na = sum(is.na(a)))
}
tm <- function(expr) { gc(); unname(system.time(expr)["elapsed"]) }
res <- data.frame(what = character(), series = integer(), evals = integer(), seconds = numeric(),
                  alarms = integer(), stringsAsFactors = FALSE)
add <- function(what, series, evals, s, a) res[nrow(res) + 1, ] <<- list(what, series, evals, s, a)

for (m in c("C1", "C2", "C3")) {
  el <- tm(r <- earsC(S, control = list(method = m)))
  a <- alarms_out(r, tolower(m), r@control$range)
  add(paste0("earsC ", m, " full range"), nser, length(r@control$range), el, a[["alarms"]])
}
## farringtonFlexible, full default range 264..520, on the first nff series only (R is slow)
el <- tm(r <- suppressWarnings(farringtonFlexible(S[, 1:nff], control = list())))
a <- alarms_out(r, "ff_full", 264:nweek)
add("farringtonFlexible default, full range 264..520", nff, length(264:520), el, a[["alarms"]])
## operational run: newest week only, all 1000 series, default and Noufaily settings
el <- tm(r <- suppressWarnings(farringtonFlexible(S, control = list(range = nweek))))
a <- alarms_out(r, "ff_last", nweek)
add("farringtonFlexible default, newest week", nser, 1, el, a[["alarms"]])
el <- tm(r <- suppressWarnings(farringtonFlexible(S, control = list(range = nweek, noPeriods = 10,
        pastWeeksNotIncluded = 26, pThresholdTrend = 1, thresholdMethod = "nbPlugin", glmWarnings = FALSE))))
a <- alarms_out(r, "ffn_last", nweek)
add("farringtonFlexible Noufaily, newest week", nser, 1, el, a[["alarms"]])
write.csv(res, file.path(out, "r_timings.csv"), row.names = FALSE)
print(res, right = FALSE)
cat("R:", R.version.string, " surveillance:", as.character(packageVersion("surveillance")), "\n")
