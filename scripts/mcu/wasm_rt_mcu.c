/* The wasm2c runtime functions a generated rnnc module needs, for bare metal: no heap, no
 * signals, no setjmp. The linear memory is a static buffer of exactly MCU_LINEAR_BYTES bytes
 * (the module's manifest memory.high_water), not pages x 64 KiB: the declared page count is kept
 * (memory.size still reports it, as under wasm3's memoryLimit) while `size`, which every wasm2c
 * bounds check (RANGE_CHECK/MEMCHECK) compares against, is the buffer's length. Any access at or
 * above the high-water mark therefore traps (OOB) instead of touching other RAM. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include "wasm-rt.h"
#include "semihost.h"

#ifndef MCU_LINEAR_BYTES
#error "define MCU_LINEAR_BYTES (the module's memory.high_water)"
#endif

static uint8_t linear_memory[(MCU_LINEAR_BYTES + 7) & ~7] __attribute__((aligned(8)));
static int memory_taken;

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif

static int initialized;
void wasm_rt_init(void) { initialized = 1; }
bool wasm_rt_is_initialized(void) { return initialized; }
void wasm_rt_free(void) { initialized = 0; }

static const char *const trap_names[] = {
  "none", "out of bounds", "integer overflow", "division by zero", "invalid conversion",
  "unreachable", "call_indirect", "uncaught exception", "call stack exhausted",
};

void wasm_rt_trap(wasm_rt_trap_t code) {
  sh_puts("FAIL wasm trap: ");
  sh_puts((unsigned)code < sizeof trap_names / sizeof trap_names[0] ? trap_names[code] : "?");
  sh_puts("\n");
  sh_exit(0);
}

const char *wasm_rt_strerror(wasm_rt_trap_t code) {
  return (unsigned)code < sizeof trap_names / sizeof trap_names[0] ? trap_names[code] : "?";
}

/* Function types, for call_indirect signature checks: equal signatures get equal ids. */
#define MAX_TYPES 16
static struct { uint32_t params, results; uint64_t code; } types[MAX_TYPES];
static uint32_t type_count;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  uint64_t code = 0;
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) code = code * 7 + (uint64_t)va_arg(ap, int) + 1;
  va_end(ap);
  for (uint32_t i = 0; i < type_count; i++)
    if (types[i].params == params && types[i].results == results && types[i].code == code) return i + 1;
  if (type_count == MAX_TYPES || params + results > 20) sh_fail("too many or too long function types");
  types[type_count].params = params;
  types[type_count].results = results;
  types[type_count].code = code;
  return ++type_count;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
  if (memory_taken++) sh_fail("only one linear memory is supported");
  if ((uint64_t)initial_pages * 65536u < MCU_LINEAR_BYTES) sh_fail("high-water mark above the declared memory");
  memset(linear_memory, 0, sizeof linear_memory); /* wasm memory starts zeroed */
  mem->data = linear_memory;
  mem->pages = initial_pages;
  mem->max_pages = max_pages;
  mem->size = MCU_LINEAR_BYTES;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta) {
  (void)mem;
  (void)delta;
  return 0xffffffffu; /* rnnc modules never grow memory; refuse like a full runtime would */
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) {
  memory_taken = 0;
  mem->data = 0;
  mem->size = 0;
}
