// The few libc, pthread, C++ thread and CUDA declarations the forksafe tests need, as a
// system header (like the real ones), so tests stay fast and independent of the host libc.
#pragma clang system_header

typedef int pid_t;
typedef unsigned long size_t;
typedef unsigned long pthread_t;
typedef struct { int __lock; } pthread_mutex_t;
typedef struct { int __lock; } pthread_rwlock_t;
typedef struct FILE FILE;
typedef int cudaError_t;
typedef struct posix_spawn_file_actions_t posix_spawn_file_actions_t;
typedef struct posix_spawnattr_t posix_spawnattr_t;

#ifdef __cplusplus
extern "C" {
#endif
pid_t fork(void);
pid_t _Fork(void);
pid_t vfork(void);
int forkpty(int *, char *, void *, void *);
int execv(const char *, char *const[]);
int execve(const char *, char *const[], char *const[]);
int execvp(const char *, char *const[]);
int execl(const char *, const char *, ...);
int execlp(const char *, const char *, ...);
void _exit(int) __attribute__((noreturn));
void _Exit(int) __attribute__((noreturn));
void exit(int) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));
int atexit(void (*)(void));
int printf(const char *, ...);
int fprintf(FILE *, const char *, ...);
int puts(const char *);
void perror(const char *);
extern FILE *stderr;
void *malloc(size_t);
void free(void *);
char *strdup(const char *);
size_t strlen(const char *);
int close(int);
int dup2(int, int);
int open(const char *, int, ...);
long write(int, const void *, size_t);
int setsid(void);
int chdir(const char *);
pid_t getpid(void);
pid_t waitpid(pid_t, int *, int);
int sigprocmask(int, const void *, void *);
int *__errno_location(void);
#define errno (*__errno_location())
int pthread_create(pthread_t *, const void *, void *(*)(void *), void *);
int pthread_join(pthread_t, void **);
int pthread_mutex_lock(pthread_mutex_t *);
int pthread_mutex_unlock(pthread_mutex_t *);
int pthread_rwlock_wrlock(pthread_rwlock_t *);
int pthread_rwlock_unlock(pthread_rwlock_t *);
int posix_spawn(pid_t *, const char *, const posix_spawn_file_actions_t *,
                const posix_spawnattr_t *, char *const[], char *const[]);
cudaError_t cudaSetDevice(int);
cudaError_t cudaMalloc(void **, size_t);
cudaError_t cudaGetDeviceCount(int *);
const char *cudaGetErrorString(cudaError_t);
int MPI_Init(int *, char ***);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
namespace std {
using ::exit;
using ::printf;
template <class T> struct remove_reference { typedef T type; };
template <class T> T &&forward(typename remove_reference<T>::type &t) noexcept;
template <class T> typename remove_reference<T>::type &&move(T &&t) noexcept {
  return static_cast<typename remove_reference<T>::type &&>(t);
}

class thread {
public:
  thread() noexcept;
  template <class F, class... Args> explicit thread(F &&f, Args &&...args) {}
  thread(thread &&) noexcept;
  ~thread();
  void join();
  void detach();
};
class jthread {
public:
  template <class F, class... Args> explicit jthread(F &&f, Args &&...args) {}
  ~jthread();
};

enum class launch { async = 1, deferred = 2 };
template <class T> class future {
public:
  future(future &&) noexcept;
  ~future();
  T get();
};
template <class F> future<int> async(F &&f);
template <class F> future<int> async(launch policy, F &&f);

class mutex {
public:
  mutex() noexcept;
  ~mutex();
  void lock();
  bool try_lock();
  void unlock();
};
struct defer_lock_t { explicit defer_lock_t() = default; };
inline constexpr defer_lock_t defer_lock{};
template <class M> class lock_guard {
public:
  explicit lock_guard(M &m);
  ~lock_guard();
};
template <class M> class unique_lock {
public:
  explicit unique_lock(M &m);
  unique_lock(M &m, defer_lock_t) noexcept;
  ~unique_lock();
  void lock();
  void unlock();
};

class string {
public:
  string(const char *);
  string(const string &);
  ~string();
  const char *c_str() const;
};
} // namespace std
#endif
