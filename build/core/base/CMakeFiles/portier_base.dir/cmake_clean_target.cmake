file(REMOVE_RECURSE
  "libportier_base.a"
)
