#pragma once
// Errors as values on request paths. The code says what the caller should do with the error:
// retry it later (kUnavailable, kDeadlineExceeded, kResourceExhausted), park it for an
// operator (kInvalidArgument, kFailedPrecondition, kPermissionDenied, kNotFound, kDataLoss),
// or report it (kInternal). Thread-safe as a value type.
//
// Both types are [[nodiscard]]: an error dropped on the floor does not compile (-Werror). When
// a result is really of no interest, say so with `.ignore()`. Misuse that the compiler cannot
// see is a crash with a message, in every build type (STYLE.md, 4): a Result made from an ok
// Status (it would hold neither value nor error), and reaching into a Result that holds an error.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace portier {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kDeadlineExceeded,
  kDataLoss,
  kInternal,
};

const char* to_string(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Worth another attempt later: the failure says nothing about the request itself.
  bool is_retryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kDeadlineExceeded ||
           code_ == StatusCode::kResourceExhausted;
  }
  std::string to_string() const;
  // Drops the status on purpose (best-effort work whose failure changes nothing).
  void ignore() const {}

  // For a retryable failure: when the caller should try again, if the failure knows (e.g. a
  // destination's backlog over its bound). Protocols turn it into Retry-After.
  std::chrono::seconds retry_after() const { return retry_after_; }
  Status with_retry_after(std::chrono::seconds after) && {
    retry_after_ = after;
    return std::move(*this);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::chrono::seconds retry_after_{0};
};

inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status permission_denied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status failed_precondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status data_loss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status resource_exhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}

// Stops the process with `what` on stderr: for contract violations by Portier's own code,
// never for anything external input can cause.
[[noreturn]] void contract_violation(const char* what, const std::string& detail);

// A value or the Status that explains its absence.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {     // NOLINT: implicit by design
    if (status_.is_ok()) contract_violation("Result made from an ok Status", {});
  }

  bool is_ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() { return checked(); }
  const T& value() const { return checked(); }
  T& operator*() { return checked(); }
  const T& operator*() const { return checked(); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &checked(); }
  void ignore() const {}

 private:
  T& checked() {
    if (!value_) contract_violation("value of a Result that holds an error", status_.to_string());
    return *value_;
  }
  const T& checked() const {
    if (!value_) contract_violation("value of a Result that holds an error", status_.to_string());
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace portier
