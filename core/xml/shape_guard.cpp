#include "core/xml/shape_guard.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace portier::xml {
namespace {

// An XML declaration longer than this is not read further for its encoding.
constexpr size_t kInstructionKept = 4096;
constexpr std::string_view kCdataOpen = "[CDATA[";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool ends_name(char c) { return is_space(c) || c == '/' || c == '>' || c == '='; }

// Case-insensitive search for the declared encoding in an XML declaration.
bool declares_other_than_utf8(std::string_view decl) {
  std::string lower(decl);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t at = lower.find("encoding");
  if (at == std::string::npos) return false;
  size_t quote = lower.find_first_of("\"'", at);
  if (quote == std::string::npos) return false;
  size_t end = lower.find(lower[quote], quote + 1);
  std::string value = lower.substr(quote + 1, end - quote - 1);
  return value != "utf-8" && value != "utf8";
}

}  // namespace

Status check_untrusted_xml(std::string_view xml, const GuardLimits& limits, std::string_view what) {
  GuardVerdict v = check_xml_shape(xml, limits);
  if (v.ok) return Status::ok();
  return invalid_argument(std::string(what) + ": refused by the XML shape guard (" + v.rule +
                          "): " + v.detail);
}

GuardVerdict check_xml_shape(std::string_view x, const GuardLimits& limits) {
  if (x.size() > limits.max_bytes) {
    return {false, "size", "document larger than " + std::to_string(limits.max_bytes) + " bytes"};
  }
  XmlShapeStream stream(limits);
  stream.feed(x);
  return stream.finish();
}

void XmlShapeStream::refuse(const char* rule, std::string detail) {
  verdict_ = {false, rule, std::move(detail)};
}

const GuardVerdict& XmlShapeStream::feed(std::string_view piece) {
  bytes_ += piece.size();
  if (verdict_.ok && bytes_ > limits_.max_bytes) {
    refuse("size", "document larger than " + std::to_string(limits_.max_bytes) + " bytes");
  }
  size_t i = 0;
  while (verdict_.ok && i < piece.size()) {
    if (state_ == State::kText) {
      // Text is most of a document (a base64 document above all): skip it at memchr's speed.
      const void* lt = std::memchr(piece.data() + i, '<', piece.size() - i);
      if (!lt) break;
      i = static_cast<size_t>(static_cast<const char*>(lt) - piece.data()) + 1;
      state_ = State::kMarkupStart;
      continue;
    }
    step(piece[i++]);
  }
  return verdict_;
}

void XmlShapeStream::step(char c) {
  switch (state_) {
    case State::kText:
      if (c == '<') state_ = State::kMarkupStart;
      return;
    case State::kMarkupStart:
      if (c == '!') {
        bang_.clear();
        state_ = State::kBang;
      } else if (c == '?') {
        instruction_ = "?";
        closing_ = 1;  // "<?>" closes at once, as a search for "?>" from the '?' finds it
        state_ = State::kInstruction;
      } else if (c == '/') {
        if (depth_ > 0) --depth_;
        state_ = State::kEndTag;
      } else {
        name_length_ = 0;
        attributes_ = namespaces_ = 0;
        self_closing_ = false;
        state_ = State::kElementName;
        step(c);
      }
      return;
    case State::kBang:
      bang_ += c;
      if (bang_ == "--") {
        closing_ = 2;  // the opening's dashes count towards "-->", so "<!-->" is closed
        state_ = State::kComment;
      } else if (bang_ == kCdataOpen) {
        closing_ = 0;
        state_ = State::kCdata;
      } else if (!std::string_view("--").starts_with(bang_) && !kCdataOpen.starts_with(bang_)) {
        refuse("doctype", "DTDs and entity declarations (<!DOCTYPE, <!ENTITY) are not allowed");
      }
      return;
    case State::kComment:
    case State::kCdata: {
      const char mark = state_ == State::kComment ? '-' : ']';
      if (c == mark) {
        closing_ = std::min<uint32_t>(closing_ + 1, 2);
      } else {
        if (c == '>' && closing_ == 2) state_ = State::kText;
        closing_ = 0;
      }
      return;
    }
    case State::kInstruction:
      if (instruction_.size() < kInstructionKept) instruction_ += c;
      if (c == '>' && closing_ == 1) {
        end_instruction();
        if (verdict_.ok) state_ = State::kText;
        return;
      }
      closing_ = c == '?' ? 1 : 0;
      return;
    case State::kEndTag:
      if (c == '>') state_ = State::kText;
      return;
    case State::kElementName:
      if (!ends_name(c)) {
        if (++name_length_ > limits_.max_name_length) end_element_name();
        return;
      }
      end_element_name();
      state_ = State::kInTag;
      step(c);
      return;
    case State::kInTag:
      if (is_space(c)) return;
      if (c == '>') {
        end_start_tag();
      } else if (c == '/') {
        self_closing_ = true;
      } else if (!ends_name(c)) {  // '=' without a name is skipped: the parser will report it
        name_length_ = 1;
        name_start_.assign(1, c);
        state_ = State::kAttributeName;
      }
      return;
    case State::kAttributeName:
      if (!ends_name(c)) {
        if (name_start_.size() < 6) name_start_ += c;
        if (++name_length_ > limits_.max_name_length) end_attribute_name();
        return;
      }
      end_attribute_name();
      state_ = State::kAfterAttributeName;
      step(c);
      return;
    case State::kAfterAttributeName:
      if (is_space(c)) return;
      if (c == '=') {
        state_ = State::kAfterEquals;
        return;
      }
      state_ = State::kInTag;
      step(c);
      return;
    case State::kAfterEquals:
      if (is_space(c)) return;
      if (c == '"' || c == '\'') {
        quote_ = c;
        state_ = State::kAttributeValue;
        return;
      }
      state_ = State::kInTag;
      step(c);
      return;
    case State::kAttributeValue:
      if (c == quote_) state_ = State::kInTag;
      return;
  }
}

void XmlShapeStream::end_element_name() {
  if (name_length_ > limits_.max_name_length) {
    refuse("name length", "an element name is longer than " +
                              std::to_string(limits_.max_name_length) + " characters");
  }
}

void XmlShapeStream::end_attribute_name() {
  if (name_length_ > limits_.max_name_length) {
    return refuse("name length", "an attribute name is longer than " +
                                     std::to_string(limits_.max_name_length) + " characters");
  }
  if (++attributes_ > limits_.max_attributes_per_element) {
    return refuse("attributes", "an element has more than " +
                                    std::to_string(limits_.max_attributes_per_element) +
                                    " attributes");
  }
  const bool declares_namespace =
      (name_start_ == "xmlns" && name_length_ == 5) || name_start_ == "xmlns:";
  if (!declares_namespace) return;
  if (++namespaces_ > limits_.max_namespaces_per_element) {
    return refuse("namespaces", "an element declares more than " +
                                    std::to_string(limits_.max_namespaces_per_element) +
                                    " namespaces");
  }
  if (++namespaces_total_ > limits_.max_namespaces_total) {
    refuse("namespaces", "the document declares more than " +
                             std::to_string(limits_.max_namespaces_total) + " namespaces");
  }
}

void XmlShapeStream::end_start_tag() {
  state_ = State::kText;
  if (!self_closing_ && ++depth_ > limits_.max_depth) {
    refuse("depth", "elements nested deeper than " + std::to_string(limits_.max_depth));
  }
}

void XmlShapeStream::end_instruction() {
  std::string_view pi = instruction_;
  if (pi.size() > 4 && pi.starts_with("?xml") && is_space(pi[4]) && declares_other_than_utf8(pi)) {
    refuse("encoding", "only UTF-8 documents are accepted");
  }
}

const GuardVerdict& XmlShapeStream::finish() {
  if (!verdict_.ok) return verdict_;
  // What the end of the document cuts short is judged as if it ended there.
  switch (state_) {
    case State::kBang:
      refuse("doctype", "DTDs and entity declarations (<!DOCTYPE, <!ENTITY) are not allowed");
      break;
    case State::kInstruction:
      end_instruction();
      break;
    case State::kAttributeName:
      end_attribute_name();
      if (verdict_.ok) end_start_tag();
      break;
    case State::kElementName:
    case State::kInTag:
    case State::kAfterAttributeName:
    case State::kAfterEquals:
    case State::kAttributeValue:
      end_start_tag();
      break;
    default:
      break;
  }
  state_ = State::kText;
  return verdict_;
}

}  // namespace portier::xml
