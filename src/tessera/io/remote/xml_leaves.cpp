#include "tessera/io/remote/xml_leaves.hpp"

#include <expat.h>

#include "tessera/base/error.hpp"

namespace tessera::io::remote {

namespace {

struct Parse {
  std::vector<std::pair<std::string, std::string>> leaves;
  std::string text;
  std::string name;
  bool has_children = false;
};

void OnStart(void* user, const XML_Char* name, const XML_Char**) {
  auto& parse = *static_cast<Parse*>(user);
  parse.name = name;
  parse.text.clear();
  parse.has_children = false;
}

void OnEnd(void* user, const XML_Char* name) {
  auto& parse = *static_cast<Parse*>(user);
  if (!parse.has_children && parse.name == name) parse.leaves.emplace_back(name, parse.text);
  parse.has_children = true;  // the enclosing element has this one as a child
  parse.text.clear();
}

void OnText(void* user, const XML_Char* text, int length) {
  static_cast<Parse*>(user)->text.append(text, size_t(length));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> XmlLeaves(const std::string& xml, const std::string& what) {
  Parse parse;
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &parse);
  XML_SetElementHandler(parser, OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser, OnText);
  const bool ok = XML_Parse(parser, xml.data(), int(xml.size()), 1) == XML_STATUS_OK;
  const std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  if (!ok) throw IOError("the answer to " + what + " is not valid XML (" + error + ")");
  return std::move(parse.leaves);
}

}  // namespace tessera::io::remote
