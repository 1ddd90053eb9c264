# Installs an app's R packages into one library; run by pycnb/r-minicran as
#   Rscript --vanilla install.R <request dir>
# The request dir holds `repos` (one repository URL a line; may carry credentials, so it is
# a private file, never an argument) and `packages` (name <TAB> exact version or "" <TAB>
# Archive directory URL or ""). R resolves the dependencies from the repositories' PACKAGES.
# Results go to <request dir>/result, one tab-separated record a line, which the buildpack
# reads: installed <pkg> <version> | missing <pkg> <needed by> | failed <pkg> <output file>.
# Exit status: 0 installed, 3 a dependency is missing, 4 a package failed to install.
local({
  req <- commandArgs(trailingOnly = TRUE)[1L]
  lib <- Sys.getenv("R_MINICRAN_LIB")
  ncpus <- max(1L, as.integer(Sys.getenv("R_MINICRAN_NCPUS", "1")))
  result <- file.path(req, "result")
  outputs <- file.path(req, "outputs")
  dir.create(outputs, showWarnings = FALSE)
  report <- function(...) cat(paste(..., sep = "\t"), "\n", file = result, append = TRUE, sep = "")

  repos <- readLines(file.path(req, "repos"))
  lines <- readLines(file.path(req, "packages"))
  spec <- do.call(rbind, lapply(strsplit(lines, "\t", fixed = TRUE), function(f) c(f, "", "")[1:3]))
  wanted <- spec[, 1L]
  options(repos = repos, warn = 1, timeout = 600)
  contrib <- contrib.url(repos, type = "source")
  av <- available.packages(contriburl = contrib, type = "source")

  # A pinned older version: the same index row, pointed at the Archive directory. (Its
  # dependency fields are the current version's; a lock lists the whole closure anyway.)
  for (i in seq_len(nrow(spec))) {
    pkg <- spec[i, 1L]; version <- spec[i, 2L]; archive <- spec[i, 3L]
    if (!nzchar(version) || !nzchar(archive)) next
    row <- av[pkg, , drop = FALSE]
    row[1L, "Version"] <- version
    row[1L, "Repository"] <- archive
    for (col in intersect(c("File", "MD5sum"), colnames(av))) row[1L, col] <- NA
    av <- rbind(av[rownames(av) != pkg, , drop = FALSE], row)
  }

  base <- rownames(installed.packages(lib.loc = .Library))
  fields <- c("Depends", "Imports", "LinkingTo")
  closure <- unique(c(wanted, unlist(tools::package_dependencies(wanted, db = av, which = fields,
                                                                  recursive = TRUE), use.names = FALSE)))
  missing <- setdiff(closure, c(rownames(av), base))
  if (length(missing)) {
    direct <- tools::package_dependencies(intersect(closure, rownames(av)), db = av, which = fields)
    for (m in missing) {
      by <- names(direct)[vapply(direct, function(d) m %in% d, logical(1L))]
      report("missing", m, paste(by, collapse = ", "))
    }
    quit(status = 3L)
  }
  todo <- setdiff(closure, base)
  cat(sprintf("Installing %d packages (%d requested, the rest their dependencies) with %d parallel jobs\n",
              length(todo), length(wanted), ncpus))
  install.packages(todo, lib = lib, repos = repos, contriburl = contrib, available = av, type = "source",
                   dependencies = NA, Ncpus = ncpus, keep_outputs = outputs, quiet = TRUE,
                   INSTALL_opts = c("--no-docs", "--no-multiarch"))

  got <- installed.packages(lib.loc = lib, noCache = TRUE)
  for (pkg in intersect(todo, rownames(got))) report("installed", pkg, got[pkg, "Version"])
  failed <- setdiff(todo, rownames(got))
  for (pkg in failed) report("failed", pkg, file.path(outputs, paste0(pkg, ".out")))
  if (length(failed)) quit(status = 4L)
})
