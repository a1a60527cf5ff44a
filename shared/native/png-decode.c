/*
 * Decodes a plain PNG file to raw pixels, for thumbnails (shared/src/thumbnails/png-fast-decode.ts).
 *
 * Why: a thumbnail of a 1024² PNG spends most of its CPU inflating the deflate stream, and libdeflate
 * inflates it in about half the time of the zlib-ng inside sharp. libdeflate is not linked: it is loaded
 * with dlopen (Debian's libdeflate0, which libtiff brings), so this builds with a C compiler alone and
 * says "unavailable" where the library is missing; the caller then uses sharp for everything.
 *
 * Only the common case is decoded: 8-bit gray, gray + alpha, RGB or RGBA, not interlaced, without a
 * chunk that changes how pixels look (colour profile, gamma, chromaticities, transparency key, EXIF
 * orientation, animation). Anything else, and any damage (bad sizes, bad zlib, bad checksum, a short
 * stream), answers null: sharp decodes those as it always has. The work runs on libuv's thread pool.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef void *(*alloc_decompressor_fn)(void);
typedef int (*zlib_decompress_fn)(void *d, const void *in, size_t in_n, void *out, size_t out_n, size_t *actual);

static alloc_decompressor_fn alloc_decompressor;
static zlib_decompress_fn zlib_decompress;

static int load_libdeflate(void) {
  const char *names[] = {"libdeflate.so.0", "libdeflate.so", "libdeflate.0.dylib", "libdeflate.dylib"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) continue;
    alloc_decompressor = (alloc_decompressor_fn)dlsym(lib, "libdeflate_alloc_decompressor");
    zlib_decompress = (zlib_decompress_fn)dlsym(lib, "libdeflate_zlib_decompress");
    if (alloc_decompressor && zlib_decompress) return 1;
    dlclose(lib);
  }
  return 0;
}

#define MAX_FILE_BYTES (512u * 1024u * 1024u)
/* Whatever the caller allows: (width × 4 + 1) × height must fit in a size_t, even a 32-bit one. */
#define MAX_PIXELS ((uint64_t)SIZE_MAX / 8)

static uint32_t be32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

static int chunk_is(const uint8_t *type, const char *name) { return memcmp(type, name, 4) == 0; }

/* Chunks that change the pixels a viewer shows: sharp applies them, so such files go to sharp. */
static int changes_pixels(const uint8_t *type) {
  static const char *names[] = {"iCCP", "gAMA", "cHRM", "cICP", "mDCV", "cLLi", "eXIf", "tRNS", "acTL"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (chunk_is(type, names[i])) return 1;
  return 0;
}

/* PNG's Paeth predictor without branches: on photographic rows a branch would be mispredicted half the time. */
static inline uint8_t paeth(int a, int b, int c) {
  int p = b - c, q = a - c;
  int pa = abs(p), pb = abs(q), pc = abs(p + q);
  int take_a = -((pa <= pb) & (pa <= pc));
  int take_b = -(pb <= pc) & ~take_a;
  return (uint8_t)((a & take_a) | (b & take_b) | (c & ~(take_a | take_b)));
}

#if defined(__SSE2__)
#include <emmintrin.h>

/*
 * Four bytes, whatever the pixel size: a 3-byte load is assembled through memory and stalls the next
 * read. For 3-byte pixels the fourth byte is the next pixel's (or, at a row's end, the next row's, or the
 * slack every buffer here has) and its lane is never stored.
 */
static inline __m128i load_pixel(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)v), _mm_setzero_si128());
}

static __m128i abs_epi16(__m128i x) { return _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x)); }

static __m128i select_epi16(__m128i mask, __m128i yes, __m128i no) { return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no)); }

/*
 * One pixel of the Paeth filter, its channels at once in 16-bit lanes (a: left, b: up, c: up-left, all
 * decoded; x: the filtered bytes). The byte add wraps as PNG's arithmetic does, high bytes stay zero.
 */
static inline __m128i paeth_pixel(__m128i a, __m128i b, __m128i c, __m128i x) {
  __m128i p = _mm_sub_epi16(b, c), q = _mm_sub_epi16(a, c);
  __m128i pa = abs_epi16(p), pb = abs_epi16(q), pc = abs_epi16(_mm_add_epi16(p, q));
  __m128i smallest = _mm_min_epi16(pc, _mm_min_epi16(pa, pb));
  __m128i predicted = select_epi16(_mm_cmpeq_epi16(pa, smallest), a, select_epi16(_mm_cmpeq_epi16(pb, smallest), b, c));
  return _mm_add_epi8(predicted, x);
}

/* Stores a pixel as four bytes (the spare one is overwritten next) unless it ends its row. */
static inline __attribute__((always_inline)) void store_pixel(uint8_t *row, size_t i, size_t stride, __m128i pixel) {
  uint32_t out = (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(pixel, pixel));
  if (i + 4 <= stride) memcpy(row + i, &out, 4);
  else memcpy(row + i, &out, 3);
}

/* A Paeth-filtered row of 3- or 4-byte pixels (inlined with a constant bpp). */
static inline __attribute__((always_inline)) void unpaeth_row(const uint8_t *src, uint8_t *dst, const uint8_t *prev, size_t stride, size_t bpp) {
  __m128i a = _mm_setzero_si128(), c = _mm_setzero_si128();
  for (size_t i = 0; i < stride; i += bpp) {
    __m128i b = load_pixel(prev + i);
    a = paeth_pixel(a, b, c, load_pixel(src + i));
    store_pixel(dst, i, stride, a);
    c = b;
  }
}

/*
 * Two Paeth-filtered rows at once, the second a pixel behind the first. Each pixel waits for its left
 * neighbour, so a row is one long chain of dependent steps; two independent chains side by side keep
 * the CPU busy in the time one would leave it waiting. The second row's up and up-left pixels are the
 * first row's, already in registers.
 */
static inline __attribute__((always_inline)) void unpaeth_rows(const uint8_t *src0, const uint8_t *src1, uint8_t *dst0, uint8_t *dst1, const uint8_t *prev,
                                                               size_t stride, size_t bpp) {
  __m128i a0 = _mm_setzero_si128(), c0 = _mm_setzero_si128();
  __m128i a1 = _mm_setzero_si128(), c1 = _mm_setzero_si128();
  __m128i b0 = load_pixel(prev);
  a0 = paeth_pixel(a0, b0, c0, load_pixel(src0));
  store_pixel(dst0, 0, stride, a0);
  c0 = b0;
  for (size_t i = bpp; i < stride; i += bpp) {
    __m128i b1 = a0; /* row 0, pixel i - bpp */
    b0 = load_pixel(prev + i);
    a0 = paeth_pixel(a0, b0, c0, load_pixel(src0 + i));
    a1 = paeth_pixel(a1, b1, c1, load_pixel(src1 + i - bpp));
    store_pixel(dst0, i, stride, a0);
    store_pixel(dst1, i - bpp, stride, a1);
    c0 = b0;
    c1 = b1;
  }
  a1 = paeth_pixel(a1, a0, c1, load_pixel(src1 + stride - bpp));
  store_pixel(dst1, stride - bpp, stride, a1);
}
#endif

/* Undoes PNG's row filters from `in` (height rows of 1 + stride bytes) into `out` (height rows of stride). */
static int unfilter(const uint8_t *in, uint8_t *out, size_t stride, uint32_t height, size_t bpp) {
  uint8_t *zero = calloc(stride + 4, 1); /* + slack for 4-byte reads of 3-byte pixels */
  if (!zero) return 0;
  const uint8_t *prev = zero;
  for (uint32_t y = 0; y < height; y++) {
    const uint8_t *src = in + (size_t)y * (stride + 1);
    uint8_t filter = *src++;
    uint8_t *dst = out + (size_t)y * stride;
    size_t i;
#if defined(__SSE2__)
    if (filter == 4 && (bpp == 3 || bpp == 4)) {
      /* src[stride] is the next row's filter byte. */
      if (y + 1 < height && src[stride] == 4) {
        if (bpp == 3) unpaeth_rows(src, src + stride + 1, dst, dst + stride, prev, stride, 3);
        else unpaeth_rows(src, src + stride + 1, dst, dst + stride, prev, stride, 4);
        prev = dst + stride;
        y++;
      } else {
        if (bpp == 3) unpaeth_row(src, dst, prev, stride, 3);
        else unpaeth_row(src, dst, prev, stride, 4);
        prev = dst;
      }
      continue;
    }
#endif
    switch (filter) {
      case 0:
        memcpy(dst, src, stride);
        break;
      case 1:
        memcpy(dst, src, bpp);
        for (i = bpp; i < stride; i++) dst[i] = (uint8_t)(src[i] + dst[i - bpp]);
        break;
      case 2:
        for (i = 0; i < stride; i++) dst[i] = (uint8_t)(src[i] + prev[i]);
        break;
      case 3:
        for (i = 0; i < bpp; i++) dst[i] = (uint8_t)(src[i] + (prev[i] >> 1));
        for (; i < stride; i++) dst[i] = (uint8_t)(src[i] + ((dst[i - bpp] + prev[i]) >> 1));
        break;
      case 4:
        for (i = 0; i < bpp; i++) dst[i] = (uint8_t)(src[i] + prev[i]);
        for (; i < stride; i++) dst[i] = (uint8_t)(src[i] + paeth(dst[i - bpp], prev[i], prev[i - bpp]));
        break;
      default:
        free(zero);
        return 0;
    }
    prev = dst;
  }
  free(zero);
  return 1;
}

/*
 * Scratch memory kept per thread between files: fresh pages cost a page fault each, which on a
 * virtual machine made the first decoder here slower than sharp. Buffers beyond KEEP_BYTES are freed
 * after use, so one huge image does not pin its memory to a thread for good.
 */
#define KEEP_BYTES (16u * 1024u * 1024u) /* a 2048² RGB image's pixels; 1024² outputs need 3 MB */
typedef struct {
  uint8_t *data;
  size_t cap;
} Scratch;
static __thread Scratch file_scratch, inflate_scratch;
static __thread void *decompressor; /* libdeflate's, one per thread (it is not thread-safe) */

static uint8_t *scratch(Scratch *s, size_t bytes) {
  if (bytes > s->cap) {
    free(s->data);
    s->data = malloc(bytes);
    s->cap = s->data ? bytes : 0;
  }
  return s->data;
}

static void scratch_done(Scratch *s) {
  if (s->cap <= KEEP_BYTES) return;
  free(s->data);
  s->data = NULL;
  s->cap = 0;
}

static uint8_t *read_file(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  uint8_t *buf = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= MAX_FILE_BYTES) {
    buf = scratch(&file_scratch, (size_t)st.st_size);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
      ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
      if (n <= 0) break;
      got += (size_t)n;
    }
    if (got != (size_t)st.st_size) buf = NULL;
    *size = got;
  }
  close(fd);
  return buf;
}

typedef struct {
  char *path;
  uint64_t max_pixels;
  uint8_t *target; /* the caller's buffer (kept alive by target_ref), written by the worker thread */
  size_t target_size;
  napi_ref target_ref;
  enum { NOT_OURS, DECODED, TOO_SMALL } outcome;
  uint32_t width, height, channels;
  size_t needed;
  napi_deferred deferred;
  napi_async_work work;
} Job;

/* Joins the IDAT chunks' data in place, at the front of the file's buffer; returns its size, 0 if unfit. */
static size_t join_idat(uint8_t *file, size_t size) {
  size_t pos = 8, joined = 0;
  int ended = 0, in_idat = 0, idat_done = 0;
  while (pos + 12 <= size) {
    uint32_t len = be32(file + pos);
    const uint8_t *type = file + pos + 4;
    if (len > size - pos - 12) return 0;
    if (chunk_is(type, "IDAT")) {
      if (idat_done) return 0;
      in_idat = 1;
      /* Data only ever moves towards the front, over chunks already read. */
      memmove(file + joined, file + pos + 8, len);
      joined += len;
    } else {
      if (in_idat) idat_done = 1;
      if (chunk_is(type, "IEND")) {
        ended = 1;
        break;
      }
      /* A critical chunk other than these (upper-case first letter) is one we cannot ignore. */
      if (changes_pixels(type) || (!(type[0] & 0x20) && !chunk_is(type, "IHDR") && !chunk_is(type, "PLTE"))) return 0;
    }
    pos += 12 + (size_t)len;
  }
  return ended ? joined : 0;
}

static void decode(Job *job) {
  static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  size_t size = 0;
  uint8_t *file = read_file(job->path, &size);
  job->outcome = NOT_OURS;
  if (!file || size < 8 + 25 || memcmp(file, signature, 8) != 0 || be32(file + 8) != 13 || !chunk_is(file + 12, "IHDR")) goto done;
  const uint8_t *ihdr = file + 16;
  uint32_t width = be32(ihdr), height = be32(ihdr + 4);
  uint8_t depth = ihdr[8], colour = ihdr[9], interlace = ihdr[12];
  uint32_t channels = colour == 0 ? 1 : colour == 2 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : 0;
  if (depth != 8 || channels == 0 || ihdr[10] != 0 || ihdr[11] != 0 || interlace != 0) goto done;
  if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu || (uint64_t)width * height > job->max_pixels) goto done;
  if ((uint64_t)width * height > MAX_PIXELS) goto done;
  size_t stride = (size_t)width * channels;
  if (stride * height > job->target_size) {
    job->outcome = TOO_SMALL;
    job->needed = stride * height;
    goto done;
  }
  size_t idat_size = join_idat(file, size);
  if (idat_size == 0) goto done;

  size_t inflated_size = (stride + 1) * height;
  uint8_t *inflated = scratch(&inflate_scratch, inflated_size + 4); /* + slack for 4-byte reads */
  if (!decompressor) decompressor = alloc_decompressor();
  if (!inflated || !decompressor) goto done;
  /* NULL for the actual size: the stream must inflate to exactly the image, no more, no less. */
  int result = zlib_decompress(decompressor, file, idat_size, inflated, inflated_size, NULL);
  if (result != 0 || !unfilter(inflated, job->target, stride, height, channels)) goto done;
  job->outcome = DECODED;
  job->width = width;
  job->height = height;
  job->channels = channels;
done:
  scratch_done(&inflate_scratch);
  scratch_done(&file_scratch);
}

static void execute(napi_env env, void *data) {
  (void)env;
  decode((Job *)data);
}

static void set_uint(napi_env env, napi_value object, const char *key, double number) {
  napi_value value;
  napi_create_double(env, number, &value);
  napi_set_named_property(env, object, key, value);
}

static void complete(napi_env env, napi_status status, void *data) {
  Job *job = data;
  napi_value result;
  if (status != napi_ok || job->outcome == NOT_OURS) {
    napi_get_null(env, &result);
  } else {
    napi_create_object(env, &result);
    if (job->outcome == TOO_SMALL) {
      set_uint(env, result, "needed", (double)job->needed);
    } else {
      set_uint(env, result, "width", job->width);
      set_uint(env, result, "height", job->height);
      set_uint(env, result, "channels", job->channels);
    }
  }
  napi_resolve_deferred(env, job->deferred, result);
  napi_delete_reference(env, job->target_ref);
  napi_delete_async_work(env, job->work);
  free(job->path);
  free(job);
}

/*
 * decodeInto(path: string, maxPixels: number, target: Buffer):
 *   Promise<{ width, height, channels } | { needed } | null>
 * Writes the pixels (rows of width × channels bytes, no padding) at the start of target; `needed` when
 * target is too small for them; null when the file is not a PNG this decodes (sharp's job, then).
 */
static napi_value decode_into(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3], promise, name;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  size_t len = 0;
  double max_pixels = 0;
  void *target = NULL;
  size_t target_size = 0;
  bool is_buffer = false;
  if (argc < 3 || napi_get_value_string_utf8(env, args[0], NULL, 0, &len) != napi_ok || napi_get_value_double(env, args[1], &max_pixels) != napi_ok ||
      napi_is_buffer(env, args[2], &is_buffer) != napi_ok || !is_buffer || napi_get_buffer_info(env, args[2], &target, &target_size) != napi_ok) {
    napi_throw_type_error(env, NULL, "decodeInto(path: string, maxPixels: number, target: Buffer)");
    return NULL;
  }
  Job *job = calloc(1, sizeof *job);
  if (!job || !(job->path = malloc(len + 1))) {
    free(job);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, args[0], job->path, len + 1, &len);
  job->max_pixels = max_pixels > 0 ? (max_pixels < 1e18 ? (uint64_t)max_pixels : MAX_PIXELS) : 0; /* NaN: 0 */
  job->target = target;
  job->target_size = target_size;
  napi_create_reference(env, args[2], 1, &job->target_ref);
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "png-decode", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn, available;
  napi_get_boolean(env, load_libdeflate(), &available);
  napi_set_named_property(env, exports, "available", available);
  napi_create_function(env, "decodeInto", NAPI_AUTO_LENGTH, decode_into, NULL, &fn);
  napi_set_named_property(env, exports, "decodeInto", fn);
  return exports;
}

NAPI_MODULE(png_decode, init)
