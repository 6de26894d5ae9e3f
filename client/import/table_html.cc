// The HTML reader of the table model, on Debian's libgumbo (the HTML5
// parsing algorithm, so the broken markup of committee-papers systems
// reads as a browser shows it).
#include <gumbo.h>

#include <cstring>
#include <map>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/import/table.h"

namespace rectrack::cli {
namespace {

// Elements nested deeper than this are not read (a crafted page could nest
// thousands and exhaust the stack).
constexpr int kMaxDepth = 200;

bool IsBlockTag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
      return true;
    default:
      return false;
  }
}

// Text of a node with block elements as line breaks; "- " before list
// items. Tables inside are read as text too (a nested table in a cell).
void NodeText(const GumboNode* node, std::string* out, int depth = 0) {
  if (depth > kMaxDepth) return;
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
      node->type == GUMBO_NODE_CDATA) {
    out->append(node->v.text.text);
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return;
  GumboTag tag = node->v.element.tag;
  if (tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE ||
      tag == GUMBO_TAG_HEAD) {
    return;
  }
  bool block = IsBlockTag(tag) || tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH;
  if (block) out->push_back('\n');
  if (tag == GUMBO_TAG_LI) out->append("- ");
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    NodeText(static_cast<const GumboNode*>(children.data[i]), out, depth + 1);
  }
  if (block) out->push_back('\n');
}

// Lines of text, whitespace runs (and non-breaking spaces) as one space.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::string l = absl::StrReplaceAll(line, {{"\xC2\xA0", " "}, {"\t", " "}});
    absl::RemoveExtraAsciiWhitespace(&l);
    if (!l.empty()) out.push_back(std::move(l));
  }
  return out;
}

// Web trackers cut long text: "The review will… more" or "...Read more".
// The link's words are not part of the text; the ellipsis stays, so the
// cut shows.
void DropMoreLink(std::vector<std::string>* paragraphs) {
  if (paragraphs->empty()) return;
  for (const char* link : {"read more", "show more", "more", "[more]", "(more)",
                           "more >>", "more\xE2\x80\xA6"}) {
    std::string& last = paragraphs->back();
    std::string lower = absl::AsciiStrToLower(last);
    if (lower == link && paragraphs->size() > 1) {
      paragraphs->pop_back();
      return;
    }
    if (absl::EndsWith(lower, std::string(" ") + link)) {
      std::string cut(absl::StripTrailingAsciiWhitespace(
          last.substr(0, last.size() - strlen(link))));
      if (absl::EndsWith(cut, "...") || absl::EndsWith(cut, "\xE2\x80\xA6")) {
        last = cut;
        return;
      }
    }
  }
}

int IntAttribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a =
      gumbo_get_attribute(&node->v.element.attributes, name);
  int n = 1;
  if (a == nullptr || !absl::SimpleAtoi(a->value, &n) || n < 1) return 1;
  return std::min(n, 1000);
}

// The <tr> elements of a table, through thead, tbody and tfoot but not
// into nested tables.
void CollectRows(const GumboNode* node, std::vector<const GumboNode*>* rows,
                 int depth = 0) {
  if (depth > kMaxDepth) return;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type != GUMBO_NODE_ELEMENT) continue;
    GumboTag tag = child->v.element.tag;
    if (tag == GUMBO_TAG_TR) {
      rows->push_back(child);
    } else if (tag == GUMBO_TAG_THEAD || tag == GUMBO_TAG_TBODY ||
               tag == GUMBO_TAG_TFOOT) {
      CollectRows(child, rows, depth + 1);
    }
  }
}

class HtmlWalker {
 public:
  explicit HtmlWalker(Document* doc) : doc_(doc) {}

  void Walk(const GumboNode* node, int depth = 0) {
    if (depth > kMaxDepth) return;
    if (node->type == GUMBO_NODE_TEXT) {
      pending_.append(node->v.text.text);
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;
    GumboTag tag = node->v.element.tag;
    if (tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE ||
        tag == GUMBO_TAG_HEAD) {
      return;
    }
    if (tag == GUMBO_TAG_TABLE) {
      FlushText();
      ReadTable(node);
      return;
    }
    bool block = IsBlockTag(tag);
    if (block) FlushText();
    const GumboVector& children = node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      Walk(static_cast<const GumboNode*>(children.data[i]), depth + 1);
    }
    if (block) FlushText();
  }

  void FlushText() {
    for (std::string& l : Lines(pending_)) {
      ++paragraphs_;
      doc_->blocks.push_back({std::move(l), std::nullopt,
                              absl::StrCat("paragraph ", paragraphs_),
                              paragraphs_});
    }
    pending_.clear();
  }

 private:
  void ReadTable(const GumboNode* node) {
    std::vector<const GumboNode*> trs;
    CollectRows(node, &trs);
    DocumentBlock block;
    block.table = Table{{}, ++tables_};
    block.where = absl::StrCat("table ", tables_);
    Table& table = *block.table;
    std::map<int, int> rowspan_left;  // grid column → rows still covered
    for (const GumboNode* tr : trs) {
      TableRow row;
      row.line = ++running_row_;
      row.where =
          absl::StrCat("table ", tables_, " row ", table.rows.size() + 1);
      int column = 0;
      auto fill_spanned = [&] {
        while (rowspan_left[column] > 0) {
          --rowspan_left[column];
          row.cells.push_back({{}, 1, true});
          ++column;
        }
      };
      const GumboVector& cells = tr->v.element.children;
      for (unsigned i = 0; i < cells.length; ++i) {
        auto* td = static_cast<const GumboNode*>(cells.data[i]);
        if (td->type != GUMBO_NODE_ELEMENT ||
            (td->v.element.tag != GUMBO_TAG_TD &&
             td->v.element.tag != GUMBO_TAG_TH)) {
          continue;
        }
        fill_spanned();
        TableCell cell;
        cell.span = IntAttribute(td, "colspan");
        std::string text;
        NodeText(td, &text);
        cell.paragraphs = Lines(text);
        DropMoreLink(&cell.paragraphs);
        int rows_down = IntAttribute(td, "rowspan");
        for (int c = 0; c < cell.span; ++c) {
          rowspan_left[column + c] = rows_down - 1;
        }
        column += cell.span;
        row.cells.push_back(std::move(cell));
      }
      fill_spanned();
      table.rows.push_back(std::move(row));
    }
    doc_->blocks.push_back(std::move(block));
  }

  Document* doc_;
  std::string pending_;
  int tables_ = 0;
  int paragraphs_ = 0;
  int running_row_ = 0;
};

}  // namespace

absl::StatusOr<Document> ReadHtmlDocument(absl::string_view html) {
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (output == nullptr) {
    return absl::InvalidArgumentError("the web page could not be read");
  }
  Document doc;
  doc.format = "html";
  HtmlWalker walker(&doc);
  walker.Walk(output->root);
  walker.FlushText();
  return doc;
}

}  // namespace rectrack::cli
