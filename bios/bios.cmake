# Included by the top-level CMakeLists.txt. Assembles the BIOS and turns the image into a C array that the program
# embeds, so x86sim needs no ROM file at run time.
#   roms/vgabios.bin  the video BIOS option ROM (bios/vga/), its checksum set by bios/rom_checksum.py
#   roms/bios.bin     the 128 KiB system ROM (bios/bios.asm), which carries the video BIOS image
set(BIOS_BIN ${CMAKE_BINARY_DIR}/roms/bios.bin)
set(VGABIOS_BIN ${CMAKE_BINARY_DIR}/roms/vgabios.bin)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
file(GLOB_RECURSE BIOS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bios/*.asm ${CMAKE_SOURCE_DIR}/bios/*.inc)
add_custom_command(
  OUTPUT ${VGABIOS_BIN}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/roms
  COMMAND ${NASM} -f bin -I${CMAKE_SOURCE_DIR}/bios/ -o ${VGABIOS_BIN} ${CMAKE_SOURCE_DIR}/bios/vga/vgabios.asm
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/bios/rom_checksum.py ${VGABIOS_BIN}
  DEPENDS ${BIOS_SOURCES} ${CMAKE_SOURCE_DIR}/bios/rom_checksum.py
  COMMENT "Assembling the video BIOS")
add_custom_command(
  OUTPUT ${BIOS_BIN}
  COMMAND ${NASM} -f bin -I${CMAKE_SOURCE_DIR}/bios/ -I${CMAKE_BINARY_DIR}/roms/ -o ${BIOS_BIN}
          ${CMAKE_SOURCE_DIR}/bios/bios.asm
  DEPENDS ${BIOS_SOURCES} ${VGABIOS_BIN}
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
