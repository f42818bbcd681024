// The symbolizer on this test program's own code: static functions (no dynamic symbol) and
// functions inlined into their callers are named with file and line, and demangled names lose
// their signatures the way c++filt spells them.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include "tessera/diagnostics/symbolizer.hpp"

namespace tessera::diagnostics {
namespace {

std::string Labels(const std::vector<SourceFrame>& frames) {
  std::string text;
  for (const SourceFrame& frame : frames) text += frame.Label() + "\n";
  return text;
}

// The return address of this call: a point inside the caller, on the line of the call.
__attribute__((noinline)) void* ReturnAddress() {
  void* address = __builtin_return_address(0);
  asm volatile("" ::: "memory");  // not a tail call
  return address;
}

constexpr int kStaticCallLine = __LINE__ + 2;
__attribute__((noinline)) void* StaticCaller() {
  void* address = ReturnAddress();
  asm volatile("" ::: "memory");
  return address;
}

constexpr int kInlinedCallLine = __LINE__ + 2;
[[gnu::always_inline]] inline void* InlinedCaller() {
  void* address = ReturnAddress();
  asm volatile("" ::: "memory");
  return address;
}

constexpr int kOuterCallLine = __LINE__ + 2;
__attribute__((noinline)) void* OuterOfInlined() {
  void* address = InlinedCaller();
  asm volatile("" ::: "memory");
  return address;
}

TEST(SymbolizerTest, NamesStaticFunctionsWithFileAndLine) {
  void* address = StaticCaller();
  Dl_info info{};
  ASSERT_NE(dladdr(address, &info), 0);
  EXPECT_EQ(info.dli_sname, nullptr);  // no dynamic symbol: dladdr alone could not name it
  Symbolizer symbolizer;
  const std::vector<SourceFrame> frames = symbolizer.Frames(uintptr_t(address), true);
  ASSERT_EQ(frames.size(), 1u) << Labels(frames);
  EXPECT_EQ(frames[0].function, "tessera::diagnostics::(anonymous namespace)::StaticCaller");
  EXPECT_EQ(frames[0].file, "symbolizer_test.cpp");
  EXPECT_EQ(frames[0].line, kStaticCallLine);
  EXPECT_EQ(frames[0].Label(), "tessera::diagnostics::(anonymous namespace)::StaticCaller (symbolizer_test.cpp:" +
                                   std::to_string(kStaticCallLine) + ")");
}

TEST(SymbolizerTest, InlinedFunctionsAreFramesOfTheirOwn) {
  void* address = OuterOfInlined();
  Symbolizer symbolizer;
  const std::vector<SourceFrame> frames = symbolizer.Frames(uintptr_t(address), true);
  ASSERT_EQ(frames.size(), 2u) << Labels(frames);
  EXPECT_EQ(frames[0].function, "tessera::diagnostics::(anonymous namespace)::OuterOfInlined");
  EXPECT_EQ(frames[0].file, "symbolizer_test.cpp");
  EXPECT_EQ(frames[0].line, kOuterCallLine);  // where InlinedCaller was inlined
  // qualified where the build has full debug information; -g1 records an inlined internal
  // function by its plain name only
  EXPECT_TRUE(frames[1].function == "tessera::diagnostics::(anonymous namespace)::InlinedCaller" ||
              frames[1].function == "InlinedCaller")
      << frames[1].function;
  EXPECT_EQ(frames[1].line, kInlinedCallLine);
  // the same address again: the same answer
  EXPECT_EQ(symbolizer.Frames(uintptr_t(address), true)[1].Label(), frames[1].Label());
}

TEST(SymbolizerTest, NamesLibraryFunctionsBySymbolAndUnknownAddressesAsSuch) {
  Symbolizer symbolizer;
  // libc has a symbol table but (without its debug package) no line tables
  const std::vector<SourceFrame> frames = symbolizer.Frames(uintptr_t(&dladdr), false);
  ASSERT_EQ(frames.size(), 1u) << Labels(frames);
  EXPECT_NE(frames[0].function.find("dladdr"), std::string::npos) << frames[0].function;
  // an address outside every module stays an address
  EXPECT_EQ(symbolizer.Frames(0x10, false)[0].function, "0x10");
}

TEST(SymbolizerTest, SignaturesAreDroppedFromDemangledNames) {
  // demangled as c++filt prints them
  EXPECT_EQ(WithoutSignature("void tessera::compute::(anonymous namespace)::RadixSortRows<unsigned long, unsigned "
                             "int>(unsigned long*, unsigned int*, unsigned long, int)"),
            "tessera::compute::(anonymous namespace)::RadixSortRows<unsigned long, unsigned int>");
  EXPECT_EQ(WithoutSignature("std::vector<int, std::allocator<int> > tessera::compute::Make<int>(std::__cxx11::"
                             "basic_string<char, std::char_traits<char>, std::allocator<char> > const&)"),
            "tessera::compute::Make<int>");
  EXPECT_EQ(WithoutSignature("tessera::compute::Make<int>(std::__cxx11::basic_string<char, std::char_traits<char>, "
                             "std::allocator<char> > const&)::{lambda(int)#1}::operator()(int) const"),
            "tessera::compute::Make<int>::{lambda(int)#1}::operator()");
  EXPECT_EQ(WithoutSignature("tessera::compute::Frame::operator<(tessera::compute::Frame const&) const"),
            "tessera::compute::Frame::operator<");
  EXPECT_EQ(WithoutSignature("tessera::compute::Frame::operator bool() const"), "tessera::compute::Frame::operator bool");
  EXPECT_EQ(WithoutSignature("std::vector<int, std::allocator<int> >::operator[](unsigned long)"),
            "std::vector<int, std::allocator<int> >::operator[]");
  EXPECT_EQ(WithoutSignature("std::basic_ostream<char, std::char_traits<char> >& std::operator<< "
                             "<std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char "
                             "const*)"),
            "std::operator<<<std::char_traits<char> >");
  EXPECT_EQ(WithoutSignature("tessera::io::ReadCsvBlock(tessera::io::CsvPlan const&, unsigned long, long, long) "
                             "[clone .cold]"),
            "tessera::io::ReadCsvBlock");
  EXPECT_EQ(WithoutSignature("decltype(auto) tessera::VisitFixedWidth<tessera::compute::(anonymous namespace)::"
                             "ComputeSum(tessera::Column const&, bool, bool)::{lambda(auto:1)#1}>(tessera::DataType, "
                             "tessera::compute::(anonymous namespace)::ComputeSum(tessera::Column const&, bool, "
                             "bool)::{lambda(auto:1)#1}&&)"),
            "tessera::VisitFixedWidth<tessera::compute::(anonymous namespace)::ComputeSum(tessera::Column const&, bool, "
            "bool)::{lambda(auto:1)#1}>");
  EXPECT_EQ(WithoutSignature("main"), "main");
}

}  // namespace
}  // namespace tessera::diagnostics
