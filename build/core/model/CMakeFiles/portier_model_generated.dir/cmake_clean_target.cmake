file(REMOVE_RECURSE
  "libportier_model_generated.a"
)
