# Writes a preset of 100,000 nested brackets (issue 16's crash) and checks that `latentlab train --config` refuses it
# with the file, the position and the limit, and exits non-zero (it used to die of SIGSEGV).
string(REPEAT "[" 100000 open)
string(REPEAT "]" 100000 close)
file(MAKE_DIRECTORY "${OUT}")
file(WRITE "${OUT}/deep.json" "${open}${close}")
execute_process(COMMAND "${LATENTLAB}" train --config "${OUT}/deep.json" --steps 1
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT rc MATCHES "^[0-9]+$")
    message(FATAL_ERROR "expected a non-zero exit, got '${rc}'")
endif()
if(NOT err MATCHES "deep.json:1:65: JSON nested deeper than 64 levels")
    message(FATAL_ERROR "unexpected message: ${err}")
endif()
