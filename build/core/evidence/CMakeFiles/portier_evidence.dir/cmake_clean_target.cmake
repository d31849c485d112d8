file(REMOVE_RECURSE
  "libportier_evidence.a"
)
