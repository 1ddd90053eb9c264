"""What the R buildpacks (pycnb/r, pycnb/r-minicran) share: R's DCF files (DESCRIPTION,
PACKAGES) and renv.lock."""
