file(REMOVE_RECURSE
  "libportier_http_router.a"
)
