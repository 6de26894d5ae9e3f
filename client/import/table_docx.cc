// The .docx reader of the table model: word/document.xml out of the zip
// archive with Debian's libzip, its body walked with pugixml, so that rows,
// cells, merged cells and paragraphs are Word's own, not guessed from text.
#include <zip.h>

#include <memory>
#include <pugixml.hpp>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "client/import/table.h"

namespace rectrack::cli {
namespace {

constexpr size_t kMaxDocumentXmlBytes = 256 << 20;
// Elements nested deeper than this are not read (Word nests a few levels;
// a crafted file could nest thousands and exhaust the stack).
constexpr int kMaxDepth = 200;

// The bytes of one member of a zip archive held in memory.
absl::StatusOr<std::string> ZipMember(absl::string_view archive,
                                      const char* name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source =
      zip_source_buffer_create(archive.data(), archive.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return absl::InvalidArgumentError("the .docx file could not be read");
  }
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (zip == nullptr) {
    zip_source_free(source);
    zip_error_fini(&error);
    return absl::InvalidArgumentError(
        "the file is not a Word .docx document (it is not a readable zip "
        "archive)");
  }
  std::unique_ptr<zip_t, int (*)(zip_t*)> closer(zip, zip_close);
  zip_error_fini(&error);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(zip, name, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the file is a zip archive but not a Word document: it has no ", name));
  }
  if (st.size > kMaxDocumentXmlBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the document's text is ", st.size,
                     " bytes; a .docx may hold at most 256 MiB of it"));
  }
  zip_file_t* file = zip_fopen(zip, name, 0);
  if (file == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("the .docx file's ", name, " could not be opened"));
  }
  std::string out(st.size, '\0');
  zip_int64_t got = zip_fread(file, out.data(), out.size());
  zip_fclose(file);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size) {
    return absl::InvalidArgumentError(
        absl::StrCat("the .docx file's ", name, " is damaged"));
  }
  return out;
}

// The text of a w:p: its runs' w:t, tabs and breaks as spaces and line
// breaks (a deleted run, w:del, is not text).
void ParagraphText(const pugi::xml_node& node, std::string* out,
                   int depth = 0) {
  if (depth > kMaxDepth) return;
  for (pugi::xml_node child : node.children()) {
    absl::string_view name = child.name();
    if (name == "w:t") {
      out->append(child.text().get());
    } else if (name == "w:tab") {
      out->push_back(' ');
    } else if (name == "w:br" || name == "w:cr") {
      out->push_back('\n');
    } else if (name == "w:del" || name == "w:delText" ||
               name == "w:instrText") {
      continue;
    } else {
      ParagraphText(child, out, depth + 1);
    }
  }
}

std::string Trim(absl::string_view s) {
  return std::string(absl::StripAsciiWhitespace(s));
}

// The paragraphs of a cell, including those of tables nested in it.
void CellParagraphsOf(const pugi::xml_node& node, std::vector<std::string>* out,
                      int depth = 0) {
  if (depth > kMaxDepth) return;
  for (pugi::xml_node child : node.children()) {
    absl::string_view name = child.name();
    if (name == "w:p") {
      std::string text;
      ParagraphText(child, &text);
      for (absl::string_view line : absl::StrSplit(text, '\n')) {
        std::string t = Trim(line);
        if (!t.empty()) out->push_back(std::move(t));
      }
    } else if (name == "w:tbl" || name == "w:tr" || name == "w:tc" ||
               name == "w:sdt" || name == "w:sdtContent" ||
               name == "w:customXml") {
      CellParagraphsOf(child, out, depth + 1);
    }
  }
}

// The rows of a w:tbl (also those inside content controls).
void TableRows(const pugi::xml_node& tbl, int table_number, int* running_row,
               Table* table, int depth = 0) {
  if (depth > kMaxDepth) return;
  for (pugi::xml_node tr : tbl.children()) {
    absl::string_view name = tr.name();
    if (name == "w:sdt" || name == "w:sdtContent") {
      TableRows(tr, table_number, running_row, table, depth + 1);
      continue;
    }
    if (name != "w:tr") continue;
    TableRow row;
    row.line = ++*running_row;
    row.where =
        absl::StrCat("table ", table_number, " row ", table->rows.size() + 1);
    for (pugi::xml_node tc : tr.children("w:tc")) {
      TableCell cell;
      pugi::xml_node props = tc.child("w:tcPr");
      cell.span =
          std::max(1, props.child("w:gridSpan").attribute("w:val").as_int(1));
      pugi::xml_node vmerge = props.child("w:vMerge");
      absl::string_view val = vmerge.attribute("w:val").value();
      cell.merged_above = vmerge && val != "restart";
      if (!cell.merged_above) CellParagraphsOf(tc, &cell.paragraphs);
      row.cells.push_back(std::move(cell));
    }
    table->rows.push_back(std::move(row));
  }
}

}  // namespace

absl::StatusOr<Document> ReadDocx(absl::string_view bytes) {
  absl::StatusOr<std::string> xml = ZipMember(bytes, "word/document.xml");
  if (!xml.ok()) return xml.status();
  pugi::xml_document dom;
  pugi::xml_parse_result parsed =
      dom.load_buffer(xml->data(), xml->size(), pugi::parse_default);
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat("the .docx file's text is damaged: ", parsed.description(),
                     " at byte ", parsed.offset));
  }
  pugi::xml_node body = dom.child("w:document").child("w:body");
  if (!body) {
    return absl::InvalidArgumentError(
        "the .docx file has no document body (w:body)");
  }
  Document doc;
  doc.format = "docx";
  int tables = 0;
  int paragraphs = 0;
  int running_row = 0;
  std::vector<pugi::xml_node> blocks(body.children().begin(),
                                     body.children().end());
  for (size_t i = 0; i < blocks.size(); ++i) {
    pugi::xml_node node = blocks[i];
    absl::string_view name = node.name();
    if (name == "w:sdt" || name == "w:sdtContent" || name == "w:customXml") {
      // Content controls wrap blocks: read what they hold in place.
      std::vector<pugi::xml_node> inner(node.children().begin(),
                                        node.children().end());
      blocks.insert(blocks.begin() + static_cast<long>(i) + 1, inner.begin(),
                    inner.end());
      continue;
    }
    if (name == "w:p") {
      std::string text;
      ParagraphText(node, &text);
      ++paragraphs;
      for (absl::string_view line : absl::StrSplit(text, '\n')) {
        doc.blocks.push_back({Trim(line), std::nullopt,
                              absl::StrCat("paragraph ", paragraphs),
                              paragraphs});
      }
    } else if (name == "w:tbl") {
      DocumentBlock block;
      block.table = Table{{}, ++tables};
      block.where = absl::StrCat("table ", tables);
      TableRows(node, tables, &running_row, &*block.table);
      doc.blocks.push_back(std::move(block));
    }
  }
  return doc;
}

}  // namespace rectrack::cli
