// Opens a review on the rectrackd at argv[1] and reads it back, with the
// access token in RECTRACK_TOKEN.
#include <rectrack/client.h>

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer HOST:PORT\n";
    return 2;
  }
  rectrack::client::ConnectOptions options;
  if (const char* token = std::getenv("RECTRACK_TOKEN")) options.token = token;
  rectrack::client::Client client(rectrack::client::Connect(argv[1], options));
  rectrack::v1::Command open;
  open.mutable_open_review()->set_title("Consumer review");
  open.mutable_open_review()->set_committee("Consumer committee");
  rectrack::v1::ApplyResponse applied;
  grpc::Status status = client.Apply({open}, &applied, "consumer-1");
  if (!status.ok()) {
    std::cerr << "Apply failed: " << status.error_message() << "\n";
    return 1;
  }
  rectrack::v1::Review review;
  status = client.GetReview(applied.results(0).entity_id(), &review);
  if (!status.ok()) {
    std::cerr << "GetReview failed: " << status.error_message() << "\n";
    return 1;
  }
  std::cout << review.id() << " " << review.title() << "\n";
  return 0;
}
