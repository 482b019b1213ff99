// Precompiled header: the heavy, stable library headers most translation units use.
#pragma once
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <expected>
#include <string>
#include <string_view>
#include <vector>
