# Empty compiler generated dependencies file for portier_evidence.
# This may be replaced when dependencies are built.
