# Writes OUTPUT: a header defining PAYGATE_GIT_COMMIT, the commit the sources
# are at (with -dirty when tracked files differ from it), or COMMIT when given
# (a build from a source tarball has no .git). Rewritten only when it changes,
# so that a build with nothing new compiles nothing.
if(NOT COMMIT)
  execute_process(COMMAND git -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE failed ERROR_QUIET)
  if(failed)
    set(COMMIT "unknown")
  else()
    execute_process(COMMAND git -C ${SOURCE_DIR} diff --quiet HEAD --
                    RESULT_VARIABLE dirty ERROR_QUIET)
    if(dirty)
      string(APPEND COMMIT "-dirty")
    endif()
  endif()
endif()
set(text "#pragma once\n#define PAYGATE_GIT_COMMIT \"${COMMIT}\"\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUTPUT} "${text}")
endif()
