file(REMOVE_RECURSE
  "CMakeFiles/portier_http_router.dir/router.cpp.o"
  "CMakeFiles/portier_http_router.dir/router.cpp.o.d"
  "libportier_http_router.a"
  "libportier_http_router.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/portier_http_router.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
