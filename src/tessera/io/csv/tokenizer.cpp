#include "tessera/io/csv/tokenizer.hpp"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tessera::io::csv {

Tokenizer::Tokenizer(const TokenizerConfig& config) : config_(config) {
  special_[uint8_t(config.sep)] = true;
  special_[uint8_t('\n')] = true;
  special_[uint8_t('\r')] = true;
  if (config.comment) special_[uint8_t(*config.comment)] = true;
}

namespace {

#if defined(__SSE2__)
// Bits of the 64 bytes at `at` that are a separator or line break, and bits that are quotes.
struct ChunkMasks {
  uint64_t field_ends;
  uint64_t quotes;
};

inline ChunkMasks ScanChunk(const char* at, __m128i sep, __m128i quote) {
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i carriage_return = _mm_set1_epi8('\r');
  uint64_t field_ends = 0, quotes = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + 16 * i));
    const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, sep), _mm_cmpeq_epi8(bytes, newline)),
                                      _mm_cmpeq_epi8(bytes, carriage_return));
    field_ends |= uint64_t(uint32_t(_mm_movemask_epi8(hits))) << (16 * i);
    quotes |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quote)))) << (16 * i);
  }
  return {field_ends, quotes};
}
#endif

}  // namespace

inline const char* Tokenizer::FindFieldEnd(const char* p) const {
#if defined(__SSE2__)
  // Sixteen bytes per step: most fields end within the first load.
  const __m128i sep = _mm_set1_epi8(config_.sep);
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i carriage_return = _mm_set1_epi8('\r');
  const __m128i comment = _mm_set1_epi8(config_.comment ? *config_.comment : '\n');
  while (true) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(chunk, sep), _mm_cmpeq_epi8(chunk, newline)),
        _mm_or_si128(_mm_cmpeq_epi8(chunk, carriage_return), _mm_cmpeq_epi8(chunk, comment)));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(unsigned(mask));
    p += 16;
  }
#else
  while (!special_[uint8_t(*p)]) ++p;
  return p;
#endif
}

TokenizeResult Tokenizer::Tokenize(char* data, int64_t size, int64_t offset, int64_t limit,
                                   bool at_end, int64_t max_rows, FieldBatch* batch) const {
  const int num_columns = config_.num_columns;
  batch->num_columns = num_columns;
  batch->num_rows = 0;
  batch->capacity = max_rows;
  const size_t needed = size_t(max_rows * num_columns);
  if (batch->starts.size() < needed) {
    batch->starts.resize(needed);
    batch->ends.resize(needed);
  }
  if (batch->row_offsets.size() < size_t(max_rows)) {
    batch->row_offsets.resize(size_t(max_rows));
    batch->field_counts.resize(size_t(max_rows));
  }
  // The sentinel stops every unquoted scan at the end of the data without a bounds check.
  data[size] = '\n';
  const char sep = config_.sep;
  const char quote = config_.quote;
  const char* const base = data;
  const char* const end = data + size;
  const char* p = data + offset;
  int64_t rows_done = 0;
  TokenizeResult result;
#if defined(__SSE2__)
  const __m128i sep_vector = _mm_set1_epi8(sep);
  const __m128i quote_vector = _mm_set1_epi8(quote);
  const char* chunk = nullptr;  // start of the 64 bytes `mask` describes
  uint64_t mask = 0;            // field-end bits in [p, chunk + 64) not yet consumed
#endif

  while (rows_done < max_rows && p < end && p - base < limit) {
    const char* row_start = p;
    // Blank lines and comment lines produce no row.
    if (*p == '\n' || *p == '\r') {
      if (config_.skip_blank_lines) {
#if defined(__SSE2__)
        chunk = nullptr;
        mask = 0;
#endif
        p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
        if (p > end) p = end;
        continue;
      }
    }
    if (config_.comment && *p == *config_.comment) {
      const void* newline = std::memchr(p, '\n', size_t(end - p));
      if (newline == nullptr) {
        if (!at_end) {
          result.status = TokenizeStatus::kNeedMoreData;
          break;
        }
        p = end;
      } else {
        p = static_cast<const char*>(newline) + 1;
      }
      continue;
    }
    uint32_t* starts = batch->starts.data() + batch->num_rows;
    uint32_t* ends = batch->ends.data() + batch->num_rows;
    const int64_t stride = max_rows;
    int column = 0;
    bool row_complete = false;
    bool bad_row = false;
#if defined(__SSE2__)
    // Fast path for rows without quotes: field ends are the set bits of a 64-byte mask, kept
    // across rows. A quote anywhere in a scanned chunk sends the row to the general path below.
    if (!config_.comment && config_.fast_path) {
      const char* field_start = p;
      bool fallback = false;
      while (true) {
        if (mask == 0) {
          const char* at = (chunk != nullptr && chunk + 64 >= p) ? chunk + 64 : p;
          const ChunkMasks masks = ScanChunk(at, sep_vector, quote_vector);
          chunk = at;
          mask = masks.field_ends;
          if (masks.quotes != 0) {
            fallback = true;
            break;
          }
          continue;
        }
        const char* at = chunk + __builtin_ctzll(mask);
        mask &= mask - 1;
        if (at >= end) {  // the sentinel: the data ends inside this row
          if (!at_end) break;
          at = end;
        }
        if (at < end && *at == sep) {
          if (column < num_columns) {
            starts[column * stride] = uint32_t(field_start - base);
            ends[column * stride] = uint32_t(at - base);
          }
          ++column;
          field_start = at + 1;
          continue;
        }
        if (column < num_columns) {
          starts[column * stride] = uint32_t(field_start - base);
          ends[column * stride] = uint32_t(at - base);
        }
        ++column;
        const char* next = at < end ? at + 1 : end;
        if (at < end && *at == '\r') {
          if (next < end && *next == '\n') {
            if (next - chunk < 64) mask &= ~(uint64_t(1) << (next - chunk));
            ++next;
          } else if (next == end && !at_end) {
            break;  // a line feed may follow in the next buffer
          }
        }
        p = next;
        row_complete = true;
        break;
      }
      if (!row_complete) {
        chunk = nullptr;
        mask = 0;
        if (!fallback) {
          result.status = TokenizeStatus::kNeedMoreData;
          p = row_start;
          break;
        }
        column = 0;
        p = row_start;
      }
    }
#endif
    while (!row_complete) {
      const char* field_start = p;
      if (*p == quote) {
        // Quoted field: runs to the closing quote; doubled quotes are escaped quotes.
        ++p;
        while (true) {
          const void* next = p < end ? std::memchr(p, quote, size_t(end - p)) : nullptr;
          if (next == nullptr) {
            p = end;
            break;
          }
          p = static_cast<const char*>(next) + 1;
          if (p < end && *p == quote) {
            ++p;
            continue;
          }
          break;
        }
        if (p >= end && !(p == end && p[-1] == quote && p - 1 > field_start)) {
          if (at_end) {
            result.status = TokenizeStatus::kUnterminatedQuote;
            result.error_offset = row_start - base;
          } else {
            result.status = TokenizeStatus::kNeedMoreData;
          }
          bad_row = true;
          break;
        }
      }
      p = FindFieldEnd(p);
      if (p >= end) {
        if (!at_end) {
          result.status = TokenizeStatus::kNeedMoreData;
          bad_row = true;
          break;
        }
        p = end;
      }
      if (column < num_columns) {
        starts[column * stride] = uint32_t(field_start - base);
        ends[column * stride] = uint32_t(p - base);
      }
      ++column;
      if (p < end && *p == sep) {
        ++p;
        continue;
      }
      // End of row: newline, carriage return, comment or end of data.
      if (p < end) {
        if (config_.comment && *p == *config_.comment) {
          const void* newline = std::memchr(p, '\n', size_t(end - p));
          if (newline == nullptr && !at_end) {
            result.status = TokenizeStatus::kNeedMoreData;
            bad_row = true;
            break;
          }
          p = newline ? static_cast<const char*>(newline) + 1 : end;
        } else if (*p == '\r') {
          ++p;
          if (p < end && *p == '\n') {
            ++p;
          } else if (p == end && !at_end) {
            // A CR at the very end of an incomplete buffer may still be followed by LF.
            result.status = TokenizeStatus::kNeedMoreData;
            bad_row = true;
            break;
          }
        } else {
          ++p;
        }
      }
      row_complete = true;
      break;
    }
    if (bad_row) {
      p = row_start;
      break;
    }
    if (column > num_columns) {
      result.status = TokenizeStatus::kTooManyFields;
      result.error_offset = row_start - base;
      result.fields_seen = column;
      p = row_start;
      break;
    }
    if (row_complete) {
      for (int c = column; c < num_columns; ++c) starts[c * stride] = ends[c * stride] = ends[(column - 1) * stride];
      batch->row_offsets[size_t(batch->num_rows)] = uint32_t(row_start - base);
      batch->field_counts[size_t(batch->num_rows)] = uint32_t(column);
      result.last_row_fields = column;
      ++batch->num_rows;
      ++rows_done;
    }
  }
  result.next_offset = p - base;
  return result;
}

}  // namespace tessera::io::csv
