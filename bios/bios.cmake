# Included by the top-level CMakeLists.txt. Assembles the BIOS and turns the image into a C array that the program
# embeds, so x86sim needs no ROM file at run time.
set(BIOS_BIN ${CMAKE_BINARY_DIR}/roms/bios.bin)
file(GLOB BIOS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bios/*.asm ${CMAKE_SOURCE_DIR}/bios/*.inc)
add_custom_command(
  OUTPUT ${BIOS_BIN}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/roms
  COMMAND ${NASM} -f bin -I${CMAKE_SOURCE_DIR}/bios/ -o ${BIOS_BIN} ${CMAKE_SOURCE_DIR}/bios/bios.asm
  DEPENDS ${BIOS_SOURCES}
  COMMENT "Assembling the BIOS")
set(BIOS_EMBED ${CMAKE_BINARY_DIR}/bios_image.c)
add_custom_command(
  OUTPUT ${BIOS_EMBED}
  COMMAND ${CMAKE_COMMAND} -DIN=${BIOS_BIN} -DOUT=${BIOS_EMBED} -DNAME=builtin_bios
          -P ${CMAKE_SOURCE_DIR}/bios/embed.cmake
  DEPENDS ${BIOS_BIN} ${CMAKE_SOURCE_DIR}/bios/embed.cmake
  COMMENT "Embedding the BIOS image")
set(BIOS_EMBED_C ${BIOS_EMBED})
add_custom_target(bios DEPENDS ${BIOS_BIN})
