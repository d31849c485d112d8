// The PostgreSQL test server: the shared server starts, each fresh database is a separate,
// empty database that libpq reaches with the returned conninfo, and fsync is on by default.
#include "tests/support/postgres_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>

namespace portier::testing {
namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

Connection connect(const std::string& conninfo) {
  return Connection(PQconnectdb(conninfo.c_str()), &PQfinish);
}

// The single value `sql` returns, or the error.
std::string query_value(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) return PQerrorMessage(conn);
  return PQgetvalue(result.get(), 0, 0);
}

TEST(PostgresServerTest, FreshDatabasesAreSeparateAndReachable) {
  std::string first = fresh_database("PostgresServerTest");
  std::string second = fresh_database("PostgresServerTest");
  ASSERT_NE(first, second);
  EXPECT_NE(first.find("port=" + std::to_string(shared_postgres().port())), std::string::npos);

  for (const std::string& conninfo : {first, second}) {
    Connection conn = connect(conninfo);
    ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK)
        << conninfo << ": " << PQerrorMessage(conn.get());
    EXPECT_EQ(query_value(conn.get(), "SELECT 1"), "1");
    EXPECT_EQ(query_value(conn.get(), "SHOW fsync"), "on");
    EXPECT_EQ(query_value(conn.get(), "SELECT current_user"), "postgres");
  }

  // A table made in one database is not seen from the other.
  Connection a = connect(first), b = connect(second);
  EXPECT_EQ(query_value(a.get(), "CREATE TABLE t AS SELECT 42 AS v; SELECT v FROM t"), "42");
  EXPECT_EQ(query_value(b.get(), "SELECT count(*) FROM pg_class WHERE relname = 't'"), "0");
}

TEST(PostgresServerTest, FsyncCanBeTurnedOffAndTheServerStops) {
  PostgresServer::Options options;
  options.fsync = false;
  std::unique_ptr<PostgresServer> server = PostgresServer::start(options);
  int port = server->port();
  {
    Connection conn = connect(server->conninfo("postgres"));
    ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
    EXPECT_EQ(query_value(conn.get(), "SHOW fsync"), "off");
  }
  server.reset();
  std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " connect_timeout=2";
  EXPECT_EQ(PQping(conninfo.c_str()), PQPING_NO_RESPONSE);
}

}  // namespace
}  // namespace portier::testing
