# Empty dependencies file for portier_base.
# This may be replaced when dependencies are built.
