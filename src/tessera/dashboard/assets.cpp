// The embedded page (see CMakeLists.txt: generated sources hold the bytes).
#include "tessera/dashboard/dashboard.hpp"

namespace tessera::dashboard {

namespace assets {
std::string_view IndexHtml();
std::string_view DashboardJs();
std::string_view StyleCss();
}  // namespace assets

std::string_view IndexHtml() { return assets::IndexHtml(); }
std::string_view DashboardJs() { return assets::DashboardJs(); }
std::string_view StyleCss() { return assets::StyleCss(); }

}  // namespace tessera::dashboard
