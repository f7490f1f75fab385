#include <lzo/lzo1x.h>
/* lzo_init() is a function-like macro; Swift cannot import it. */
static inline int clzo_init(void) { return lzo_init(); }
