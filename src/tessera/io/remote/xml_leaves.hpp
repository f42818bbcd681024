// The text of the leaf elements of an XML document, in document order: all the S3 XML API's
// answers need (listings, errors, upload ids). Parsed with libexpat.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tessera::io::remote {

/// (element name, text) for every element without child elements. Throws IOError naming
/// `what` when the document is not well-formed XML.
std::vector<std::pair<std::string, std::string>> XmlLeaves(const std::string& xml, const std::string& what);

}  // namespace tessera::io::remote
