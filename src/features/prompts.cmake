# The features' prompts (src/features/prompts/<lang>/<name>.txt) are data,
# compiled into zhi_features as bytes by embed_prompts.cmake.
file(GLOB_RECURSE zhi_prompt_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/features/prompts/*.txt)
set(zhi_prompts_cc ${PROJECT_BINARY_DIR}/generated/features_prompts.cc)
add_custom_command(OUTPUT ${zhi_prompts_cc}
  COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR}/src/features/prompts -DOUT=${zhi_prompts_cc}
          -P ${PROJECT_SOURCE_DIR}/src/features/embed_prompts.cmake
  DEPENDS ${zhi_prompt_files} ${PROJECT_SOURCE_DIR}/src/features/embed_prompts.cmake
  COMMENT "Embedding feature prompts")
target_sources(zhi_features PRIVATE ${zhi_prompts_cc})
