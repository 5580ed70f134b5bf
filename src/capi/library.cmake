# libzhi: the C ABI (include/zhi/zhi.h) as one shared and one static
# library, installed with a CMake package config (find_package(zhi)) and a
# pkg-config file (zhi.pc); plus the C example and the ABI's own tests.
# Included from the top-level CMakeLists.txt after the layers are defined.

set(ZHI_LIBRARY_LAYERS core quant gguf kernels tokenizer model session features capi)
file(GLOB zhi_capi_srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/capi/*.cc)
# The layers end up inside a shared library, so they are position independent
# (on x86-64 this costs nothing measurable).
foreach(layer IN LISTS ZHI_LIBRARY_LAYERS)
  set_target_properties(zhi_${layer} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endforeach()

# Shared: only the zhi_* C functions are exported. The engine's C++ symbols
# stay hidden (they are no ABI), so the library can be swapped in place.
add_library(zhi_shared SHARED ${zhi_capi_srcs})
set_target_properties(zhi_shared PROPERTIES
  OUTPUT_NAME zhi VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
target_include_directories(zhi_shared
  PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>
  PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(zhi_shared PRIVATE zhi_features)
target_link_options(zhi_shared PRIVATE -Wl,--exclude-libs,ALL)

# Static: every layer's objects in one archive, so users link one libzhi.a.
set(zhi_objects)
foreach(layer IN LISTS ZHI_LIBRARY_LAYERS)
  list(APPEND zhi_objects $<TARGET_OBJECTS:zhi_${layer}>)
endforeach()
add_library(zhi_static STATIC ${zhi_objects})
set_target_properties(zhi_static PROPERTIES OUTPUT_NAME zhi)
target_include_directories(zhi_static PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
# What the archive's objects need at link time, C users included.
target_link_libraries(zhi_static INTERFACE Threads::Threads
  $<BUILD_INTERFACE:PkgConfig::UTF8PROC> $<INSTALL_INTERFACE:utf8proc> stdc++ m)

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS zhi_shared zhi_static EXPORT zhiTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/zhi DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT zhiTargets NAMESPACE zhi:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zhi)
file(WRITE ${PROJECT_BINARY_DIR}/zhiConfig.cmake
  "include(CMakeFindDependencyMacro)\nfind_dependency(Threads)\ninclude(\"\${CMAKE_CURRENT_LIST_DIR}/zhiTargets.cmake\")\n")
write_basic_package_version_file(${PROJECT_BINARY_DIR}/zhiConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/zhiConfig.cmake ${PROJECT_BINARY_DIR}/zhiConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zhi)
# Relative to the .pc file, so an install to any --prefix finds itself.
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/zhi.pc @ONLY CONTENT "prefix=\${pcfiledir}/../..
libdir=\${prefix}/@CMAKE_INSTALL_LIBDIR@
includedir=\${prefix}/@CMAKE_INSTALL_INCLUDEDIR@

Name: zhi
Description: Zhi, a CPU inference engine for Qwen2.5 GGUF models (C ABI)
Version: @PROJECT_VERSION@
Requires.private: libutf8proc
Libs: -L\${libdir} -lzhi
Libs.private: -lstdc++ -lm -lpthread
Cflags: -I\${includedir}
")
install(FILES ${PROJECT_BINARY_DIR}/zhi.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The C example: plain C11 against the shared library.
enable_language(C)
add_executable(zhi_example_chat ${PROJECT_SOURCE_DIR}/examples/chat.c)
set_target_properties(zhi_example_chat PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_link_libraries(zhi_example_chat PRIVATE zhi_shared)

if(ZHI_BUILD_TESTS)
  find_package(Python3 COMPONENTS Interpreter)
  set(zhi_capi_model ${PROJECT_BINARY_DIR}/capi-tiny.gguf)
  add_test(NAME capi_make_model COMMAND zhi make-model --shape tiny --type q8_0 -o ${zhi_capi_model})
  set_tests_properties(capi_make_model PROPERTIES FIXTURES_SETUP zhi_capi_model)
  add_test(NAME capi_example_chat COMMAND zhi_example_chat ${zhi_capi_model})
  set_tests_properties(capi_example_chat PROPERTIES FIXTURES_REQUIRED zhi_capi_model)
  if(Python3_Interpreter_FOUND)
    add_test(NAME capi_ctypes_smoke
      COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/capi/ctypes_smoke.py $<TARGET_FILE:zhi_shared> ${zhi_capi_model})
    add_test(NAME capi_random_schemas
      COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/capi/random_schemas.py $<TARGET_FILE:zhi_shared> ${zhi_capi_model} 200)
    add_test(NAME capi_ctypes_features
      COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/capi/ctypes_features.py $<TARGET_FILE:zhi_shared> ${zhi_capi_model})
    set(zhi_py_tests capi_ctypes_smoke capi_random_schemas capi_ctypes_features)
    # 77: the validator (python3-jsonschema) is not installed.
    set_tests_properties(${zhi_py_tests} PROPERTIES FIXTURES_REQUIRED zhi_capi_model SKIP_RETURN_CODE 77 TIMEOUT 900)
    if(ZHI_SANITIZE)
      # Python itself is not instrumented: the sanitizer runtimes must load first,
      # and the interpreter's own allocations are not ours to call leaks.
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so OUTPUT_VARIABLE zhi_asan OUTPUT_STRIP_TRAILING_WHITESPACE)
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libubsan.so OUTPUT_VARIABLE zhi_ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
      set_tests_properties(${zhi_py_tests} PROPERTIES
        ENVIRONMENT "LD_PRELOAD=${zhi_asan}:${zhi_ubsan};ASAN_OPTIONS=detect_leaks=0")
    endif()
  endif()
endif()
