# Empty dependencies file for portier_http_router.
# This may be replaced when dependencies are built.
