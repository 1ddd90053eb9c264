# Index a CRAN-like repository (run by the prebuilt R in a build-image container):
#   Rscript write-packages.R <repo root>
# writes src/contrib/PACKAGES, PACKAGES.gz, PACKAGES.rds (tools::write_PACKAGES) and, when
# src/contrib/Archive/ exists, src/contrib/Meta/archive.rds as CRAN has it: per package, the
# file.info() of its archived tarballs with row names "<pkg>/<file>" (renv and remotes read
# it to find older versions).
root <- commandArgs(TRUE)[1]
contrib <- file.path(root, "src", "contrib")
n <- tools::write_PACKAGES(contrib, type = "source", verbose = FALSE)
archive <- file.path(contrib, "Archive")
if (dir.exists(archive)) {
  files <- list.files(archive, pattern = "[.]tar[.]gz$", recursive = TRUE)
  info <- file.info(file.path(archive, files))
  rownames(info) <- files
  dir.create(file.path(contrib, "Meta"), showWarnings = FALSE)
  saveRDS(split(info, dirname(files)), file.path(contrib, "Meta", "archive.rds"))
}
ap <- available.packages(repos = paste0("file://", normalizePath(root)), filters = list())
cat(nrow(ap), "packages indexed in", root, "\n")
