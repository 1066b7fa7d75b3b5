/* container_of: the struct around an embedded member, as libev's watchers are meant to be used (a watcher
 * inside the struct it serves, the callback recovers the struct). One definition for every file. */
#ifndef WARDER_CONTAINER_OF_H
#define WARDER_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#endif
