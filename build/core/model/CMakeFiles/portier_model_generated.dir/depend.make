# Empty dependencies file for portier_model_generated.
# This may be replaced when dependencies are built.
