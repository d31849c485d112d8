#include "tests/core/documents/test_documents.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#ifdef PORTIER_TEST_HAVE_ZLIB
#include <zlib.h>
#endif

namespace portier::documents::testing {
namespace {

// Writes PDF objects and remembers their offsets for the xref table.
class PdfWriter {
 public:
  explicit PdfWriter(const std::string& path)
      : file_(std::fopen(path.c_str(), "wb"), &std::fclose) {
    if (!file_) throw std::runtime_error("cannot create " + path);
  }
  void write(std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
      throw std::runtime_error("cannot write a test PDF");
    }
    pos_ += bytes.size();
  }
  void begin(int number) {
    if (offsets_.size() < static_cast<size_t>(number)) offsets_.resize(number);
    offsets_[number - 1] = pos_;
    write(std::to_string(number) + " 0 obj\n");
  }
  void object(int number, std::string_view body) {
    begin(number);
    write(body);
    write("\nendobj\n");
  }
  void stream(int number, const std::string& dict, std::string_view data) {
    begin(number);
    write("<< " + dict + " /Length " + std::to_string(data.size()) + " >>\nstream\n");
    write(data);
    write("\nendstream\nendobj\n");
  }
  uint64_t finish() {
    const uint64_t xref = pos_;
    write("xref\n0 " + std::to_string(offsets_.size() + 1) + "\n0000000000 65535 f \n");
    char entry[32];
    for (uint64_t offset : offsets_) {
      std::snprintf(entry, sizeof entry, "%010llu 00000 n \n",
                    static_cast<unsigned long long>(offset));
      write(entry);
    }
    write("trailer\n<< /Size " + std::to_string(offsets_.size() + 1) +
          " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n");
    if (std::fflush(file_.get()) != 0) throw std::runtime_error("cannot write a test PDF");
    return pos_;
  }

 private:
  std::unique_ptr<FILE, decltype(&std::fclose)> file_;
  uint64_t pos_ = 0;
  std::vector<uint64_t> offsets_;
};

std::string deflate_spaces(uint64_t count) {
#ifdef PORTIER_TEST_HAVE_ZLIB
  z_stream z = {};
  if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK) throw std::runtime_error("deflateInit");
  const std::string block(1 << 20, ' ');
  std::string out;
  char buffer[64 * 1024];
  uint64_t left = count;
  int flush = Z_NO_FLUSH;
  do {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, block.size()));
    left -= n;
    flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      deflate(&z, flush);
      out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&z);
  return out;
#else
  (void)count;
  throw std::runtime_error("built without zlib: no flate bomb");
#endif
}

}  // namespace

bool have_zlib() {
#ifdef PORTIER_TEST_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

uint64_t write_test_pdf(const std::string& path, const TestPdf& spec) {
  // Objects: 1 catalog, 2 page tree, 3 font, then per page: page, content, image (if any).
  const bool images = spec.image_bytes_per_page > 0;
  const int stride = images ? 3 : 2;
  auto page_object = [&](int i) { return 4 + stride * i; };
  PdfWriter pdf(path);
  pdf.write("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
  pdf.object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (int i = 0; i < spec.pages; ++i) kids += std::to_string(page_object(i)) + " 0 R ";
  pdf.object(2,
             "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(spec.pages) + " >>");
  pdf.object(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

  const uint64_t width = 1000;
  const uint64_t height = std::max<uint64_t>(1, spec.image_bytes_per_page / width);
  uint64_t random = 0x9e3779b97f4a7c15ull;
  std::string row(width, '\0');
  for (int i = 0; i < spec.pages; ++i) {
    const int page = page_object(i);
    std::string resources = "/Font << /F1 3 0 R >>";
    if (images) resources += " /XObject << /Im0 " + std::to_string(page + 2) + " 0 R >>";
    pdf.object(page, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << " +
                         resources + " >> /Contents " + std::to_string(page + 1) + " 0 R >>");
    if (i == 0 && spec.bomb_bytes > 0) {
      pdf.stream(page + 1, "/Filter /FlateDecode", deflate_spaces(spec.bomb_bytes));
    } else {
      std::string text = "BT /F1 24 Tf 72 760 Td (Page " + std::to_string(i + 1) + " of " +
                         std::to_string(spec.pages) + ": Portier test document) Tj ET";
      if (images) text = "q 495 0 0 600 50 100 cm /Im0 Do Q " + text;
      pdf.stream(page + 1, "", text);
    }
    if (images) {
      pdf.begin(page + 2);
      pdf.write("<< /Type /XObject /Subtype /Image /Width " + std::to_string(width) + " /Height " +
                std::to_string(height) + " /ColorSpace /DeviceGray /BitsPerComponent 8 /Length " +
                std::to_string(width * height) + " >>\nstream\n");
      for (uint64_t y = 0; y < height; ++y) {
        for (char& c : row) {
          random ^= random << 13;
          random ^= random >> 7;
          random ^= random << 17;
          c = static_cast<char>(random);
        }
        pdf.write(row);
      }
      pdf.write("\nendstream\nendobj\n");
    }
  }
  return pdf.finish();
}

std::string test_pdf(int pages) {
  TempDir dir;
  write_test_pdf(dir.file("t.pdf"), TestPdf{pages, 0, 0});
  return read_file(dir.file("t.pdf"));
}

std::string pdf_of(const std::vector<std::string>& objects) {
  std::string out = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t offset : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

ProcessMemory process_memory() {
  ProcessMemory m;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) m.rss_kib = std::stoll(line.substr(6));
    if (line.starts_with("VmHWM:")) m.peak_kib = std::stoll(line.substr(6));
  }
  return m;
}

bool reset_peak_memory() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "portier-documents-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace portier::documents::testing
