# Empty compiler generated dependencies file for portier_model.
# This may be replaced when dependencies are built.
