#include "core/journal/postgresql/connection.h"

#include <cstdlib>
#include <utility>
#include <vector>

namespace portier::journal::postgresql {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Error classes (SQLSTATE's first two characters) after which the connection is unusable.
bool connection_lost(PGconn* conn, const char* sqlstate) {
  if (PQstatus(conn) != CONNECTION_OK) return true;
  if (sqlstate == nullptr) return false;
  const std::string state(sqlstate);
  return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
}

class PgStatement final : public sql::StatementBackend {
 public:
  PgStatement(Connection& connection, std::string name, std::string sql)
      : connection_(connection), name_(std::move(name)), sql_(std::move(sql)) {}

  void bind(int index, int64_t value) override { set(index, std::to_string(value), 0); }
  void bind(int index, std::string_view text) override { set(index, std::string(text), 0); }
  void bind_blob(int index, std::string_view bytes) override { set(index, std::string(bytes), 1); }
  void bind_null(int index) override {
    grow(index);
    nulls_[index - 1] = true;
  }

  Result<bool> next() override {
    if (!result_) {
      if (Status s = execute(); !s.is_ok()) return s;
      row_ = -1;
    }
    ++row_;
    return row_ < PQntuples(result_.get());
  }
  int64_t changes() const override {
    const char* n = result_ ? PQcmdTuples(result_.get()) : "";
    return *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
  }
  bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }
  int64_t int64(int column) const override {
    return std::strtoll(PQgetvalue(result_.get(), row_, column), nullptr, 10);
  }
  std::string text(int column) const override {
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<size_t>(PQgetlength(result_.get(), row_, column)));
  }
  std::string blob(int column) const override {
    size_t length = 0;
    unsigned char* bytes = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row_, column)), &length);
    if (bytes == nullptr) return {};
    std::string out(reinterpret_cast<const char*>(bytes), length);
    PQfreemem(bytes);
    return out;
  }

 private:
  void grow(int index) {
    const size_t n = static_cast<size_t>(index);
    if (values_.size() < n) {
      values_.resize(n);
      formats_.resize(n, 0);
      nulls_.resize(n, true);
    }
  }
  // Text parameters (format 0) are typed by the server from the statement; bytea goes binary (1).
  void set(int index, std::string value, int format) {
    grow(index);
    const size_t i = static_cast<size_t>(index - 1);
    values_[i] = std::move(value);
    formats_[i] = format;
    nulls_[i] = false;
  }

  Status execute() {
    const int n = static_cast<int>(values_.size());
    std::vector<const char*> values(values_.size());
    std::vector<int> lengths(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      values[i] = nulls_[i] ? nullptr : values_[i].data();
      lengths[i] = static_cast<int>(values_[i].size());
    }
    PGconn* conn = connection_.handle();
    // Without parameters: the simple protocol, which also runs several statements at once (a
    // migration's script).
    PGresult* r = name_.empty() ? PQexec(conn, sql_.c_str())
                                : PQexecPrepared(conn, name_.c_str(), n, values.data(),
                                                 lengths.data(), formats_.data(), 0);
    result_.reset(r);
    return connection_.check(r, sql_);
  }

  Connection& connection_;
  const std::string name_;  // "" for a statement run unprepared
  const std::string sql_;
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<bool> nulls_;
  ResultPtr result_;
  int row_ = -1;
};

}  // namespace

std::string numbered_parameters(const std::string& sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '$';
      continue;
    }
    out += c;
  }
  return out;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    PQfinish(conn);
    return unavailable("cannot connect to PostgreSQL: " + message);
  }
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::in_transaction() {
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

Status Connection::check(PGresult* result, const std::string& what) {
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::ok();
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  message = what + ": " + message;
  if (sqlstate != nullptr) message += std::string(" (SQLSTATE ") + sqlstate + ")";
  if (connection_lost(conn_, sqlstate)) {
    Status lost = unavailable("PostgreSQL connection lost: " + message);
    if (fatal_.is_ok()) fatal_ = lost;
    return lost;
  }
  const std::string state = sqlstate != nullptr ? sqlstate : "";
  if (state == "23505") return Status(StatusCode::kAlreadyExists, message);
  if (state.rfind("23", 0) == 0 || state.rfind("22", 0) == 0) return invalid_argument(message);
  // Serialization failures, deadlocks, lock and statement timeouts, too many connections.
  if (state.rfind("40", 0) == 0 || state.rfind("55", 0) == 0 || state == "57014" ||
      state.rfind("53", 0) == 0) {
    return unavailable(message);
  }
  return internal_error(message);
}

Result<sql::Statement> Connection::prepare(const std::string& sql) {
  const std::string text = numbered_parameters(sql);
  if (text == sql) {  // no parameters (transaction control, savepoints): run as it is
    return sql::Statement(std::make_unique<PgStatement>(*this, "", text));
  }
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "portier_" + std::to_string(prepared_.size() + 1);
    ResultPtr r(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    if (Status s = check(r.get(), "prepare " + text); !s.is_ok()) return s;
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  return sql::Statement(std::make_unique<PgStatement>(*this, it->second, text));
}

}  // namespace portier::journal::postgresql
