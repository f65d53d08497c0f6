# Writes the bytes of IN as a C array NAME (with NAME_size) to OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR size "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* Generated from ${IN}. */\n#include <stdint.h>\nconst uint8_t ${NAME}[] = {\n${bytes}\n};\nconst uint32_t ${NAME}_size = ${size};\n")
