file(REMOVE_RECURSE
  "libportier_model.a"
)
