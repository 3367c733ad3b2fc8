/* ThreadSanitizer annotations (in state/, the lowest layer, because arenas need them too) for
 * Concurrency Kit rings and the allocator. ck synchronises with inline assembly that
 * TSan cannot see, so each hand-over through a ring is told to TSan as a release (before the
 * enqueue, covering what the producer wrote) and an acquire (after the dequeue); the ring's own slot
 * copies are hidden from it. Empty outside TSan builds (-DVELO_TSAN=ON). */
#ifndef VELO_STATE_TSAN_H
#define VELO_STATE_TSAN_H

#if defined(__SANITIZE_THREAD__)
#define VELO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VELO_TSAN 1
#endif
#endif

#ifdef VELO_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
/* mimalloc is not instrumented either: memory freed on one core and reused on another would look
 * like a race. Frees publish to one sync address, allocations of memory that crosses cores
 * (batches, their arenas, exchange messages) acquire it. */
extern char velo_tsan_heap_sync;
#define VELO_TSAN_FREEING()   __tsan_release(&velo_tsan_heap_sync)
#define VELO_TSAN_ALLOCATED() __tsan_acquire(&velo_tsan_heap_sync)
#define VELO_TSAN_RELEASE(p)  __tsan_release((void *)(p))
#define VELO_TSAN_ACQUIRE(p)  __tsan_acquire((void *)(p))
#define VELO_TSAN_IGNORE_BEGIN()                                                                             \
    (AnnotateIgnoreReadsBegin(__FILE__, __LINE__), AnnotateIgnoreWritesBegin(__FILE__, __LINE__))
#define VELO_TSAN_IGNORE_END()                                                                               \
    (AnnotateIgnoreWritesEnd(__FILE__, __LINE__), AnnotateIgnoreReadsEnd(__FILE__, __LINE__))
#else
#define VELO_TSAN_FREEING()      ((void)0)
#define VELO_TSAN_ALLOCATED()    ((void)0)
#define VELO_TSAN_RELEASE(p)     ((void)(p))
#define VELO_TSAN_ACQUIRE(p)     ((void)(p))
#define VELO_TSAN_IGNORE_BEGIN() ((void)0)
#define VELO_TSAN_IGNORE_END()   ((void)0)
#endif

#endif
